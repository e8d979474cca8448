import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { rateLimitHeaders, startAttempt } from "~/auth/rate-limit.server";
import { countRecoveryCodes, replaceRecoveryCodes } from "~/auth/recovery-codes.server";
import {
  beginTwoFactorSetup,
  cancelTwoFactorSetup,
  checkSecondFactor,
  CODE_ALREADY_USED,
  confirmTwoFactorSetup,
  disableTwoFactor,
  isTwoFactorEnabled,
  otpauthUri,
  qrCodeSvg,
  twoFactorStatus,
} from "~/auth/two-factor.server";
import { parseForm, readFormData, TwoFactorCodeSchema } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { announce } from "~/events/events.server";
import { redirectWithFlash } from "~/flash.server";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "twoFactorLogin.title")];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

const IntentSchema = z.object({
  intent: z.enum(["start", "cancel", "confirm", "regenerate-codes", "disable"], { message: "form.unknownAction" }),
});

type Intent = z.output<typeof IntentSchema>["intent"];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const status = await twoFactorStatus(user.id);
  if (status.state === "pending") {
    // The secret reaches the browser only here, while setup is unconfirmed.
    const uri = await otpauthUri(user.email, status.secret);
    return { state: "pending" as const, uri, secret: status.secret, qrCode: await qrCodeSvg(uri) };
  }
  if (status.state === "on") {
    return { state: "on" as const, since: status.confirmedAt, recoveryCodesLeft: await countRecoveryCodes(user.id) };
  }
  return { state: "off" as const };
}

function invalid(intent: Intent | null, message: string, fieldErrors: Record<string, string> = {}) {
  return data({ intent, error: message, fieldErrors, recoveryCodes: null as string[] | null }, { status: 400 });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const form = await readFormData(request);
  const { t, language } = i18nOf({ request, context });
  const parsedIntent = parseForm(form, IntentSchema, t);
  if (!parsedIntent.success) return invalid(null, parsedIntent.errors.intent ?? t("form.unknownAction"));
  const { intent } = parsedIntent.data;
  const origin = requestOrigin(request, context);

  switch (intent) {
    case "start": {
      if (!(await beginTwoFactorSetup(user.id))) return invalid(intent, t("twoFactorSettings.alreadyOn"));
      return redirect("/settings/two-factor");
    }
    case "cancel": {
      await cancelTwoFactorSetup(user.id);
      return redirect("/settings/two-factor");
    }
    case "confirm": {
      const parsed = parseForm(form, TwoFactorCodeSchema, t);
      if (!parsed.success) return invalid(intent, t("form.checkField"), parsed.errors);
      const recoveryCodes = await confirmTwoFactorSetup(user.id, parsed.data.code);
      if (!recoveryCodes) {
        return invalid(intent, t("twoFactorSettings.codeWrong"), { code: t("twoFactorSettings.codeWrongHint") });
      }
      await announce({ type: "two_factor_enabled", actorId: user.id }, origin, { language });
      return data({ intent, error: null, fieldErrors: {} as Record<string, string>, recoveryCodes });
    }
    case "regenerate-codes": {
      if (!(await isTwoFactorEnabled(user.id))) return invalid(intent, t("twoFactorSettings.isOff"));
      const recoveryCodes = await replaceRecoveryCodes(user.id);
      await announce({ type: "recovery_codes_regenerated", actorId: user.id }, origin, { language });
      return data({ intent, error: null, fieldErrors: {} as Record<string, string>, recoveryCodes });
    }
    case "disable": {
      if (!(await isTwoFactorEnabled(user.id))) return redirect("/settings/two-factor");
      const parsed = parseForm(form, TwoFactorCodeSchema, t);
      if (!parsed.success) return invalid(intent, t("form.checkField"), parsed.errors);
      const attempt = await startAttempt("two-factor", { account: user.id, address: context.clientIp, subjectId: user.id }, origin);
      const check = await checkSecondFactor(user.id, parsed.data.code);
      if (!check.ok) {
        await attempt.failed();
        await announce({ type: "two_factor_failed", actorId: user.id, details: { step: "disable" } }, origin);
        if (check.reason === "used") return invalid(intent, t(CODE_ALREADY_USED), { code: t("twoFactorSettings.waitNext") });
        return invalid(intent, t("twoFactorSettings.codeInvalid"), { code: t("twoFactorSettings.codeInvalidHint") });
      }
      const { factor } = check;
      await attempt.succeeded();
      await disableTwoFactor(user.id);
      await announce({ type: "two_factor_disabled", actorId: user.id, details: { with: factor } }, origin, { language });
      return redirectWithFlash("/settings/two-factor", { category: "success", message: t("twoFactorSettings.isOff") });
    }
  }
}

function RecoveryCodes({ codes, heading }: { codes: string[]; heading: string }) {
  const t = useT();
  return (
    <section aria-labelledby="recovery-title" className="recovery-codes">
      <h2 id="recovery-title">{heading}</h2>
      <p>
        {t("twoFactorSettings.codesIntro")} <strong>{t("twoFactorSettings.codesOnce")}</strong>
      </p>
      <ul aria-label={t("twoFactorSettings.recoveryCodes")} className="code-list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <SaveCodes codes={codes} />
    </section>
  );
}

/**
 * Ways to keep the codes: a text file (a `data:` link, so it works without
 * JavaScript too) and, once the page is live, a copy to the clipboard.
 */
function SaveCodes({ codes }: { codes: string[] }) {
  const t = useT();
  const text = `${t("twoFactorSettings.fileHeading")}\n\n${codes.join("\n")}\n`;
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState<"" | "yes" | "no">("");
  useEffect(() => setCanCopy(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  return (
    <div className="actions">
      <a className="button" download="recovery-codes.txt" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}>
        {t("twoFactorSettings.download")}
      </a>
      {canCopy ? (
        <button
          type="button"
          className="button"
          onClick={() => navigator.clipboard.writeText(text).then(() => setCopied("yes"), () => setCopied("no"))}
        >
          {t("twoFactorSettings.copy")}
        </button>
      ) : null}
      <p aria-live="polite" className="hint">
        {copied === "yes" ? t("twoFactorSettings.copied") : copied === "no" ? t("twoFactorSettings.copyRefused") : ""}
      </p>
    </div>
  );
}

export default function TwoFactorSettingsPage() {
  const status = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errorFor = (intent: Intent) => (actionData?.intent === intent ? actionData : null);
  const t = useT();

  return (
    <section aria-labelledby="two-factor-title">
      <h1 id="two-factor-title">{t("twoFactorLogin.title")}</h1>

      {actionData?.recoveryCodes ? (
        <>
          <p role="status" className="flash flash-success">
            {actionData.intent === "confirm" ? t("twoFactorSettings.isOn") : t("twoFactorSettings.newCodesReady")}
          </p>
          <RecoveryCodes codes={actionData.recoveryCodes} heading={t("twoFactorSettings.yourCodes")} />
        </>
      ) : null}

      {status.state === "off" ? (
        <>
          <p>
            {`${t("twoFactorSettings.offIs")} `}
            <strong>{t("twoFactorSettings.off")}</strong>
            {`. ${t("twoFactorSettings.offIntro")}`}
          </p>
          <FormError message={errorFor("start")?.error} />
          <Form method="post">
            <button type="submit" name="intent" value="start" className="button primary" disabled={busy}>
              {t("twoFactorSettings.setUp")}
            </button>
          </Form>
        </>
      ) : null}

      {status.state === "pending" ? (
        <>
          <ol className="steps">
            <li>
              <p>{t("twoFactorSettings.scan")}</p>
              <figure className="qr-code" role="img" aria-label={t("twoFactorSettings.qrLabel")}>
                <div dangerouslySetInnerHTML={{ __html: status.qrCode }} />
              </figure>
            </li>
            <li>
              <p>{t("twoFactorSettings.byHand")}</p>
              <dl className="facts">
                <dt>{t("twoFactorSettings.setupUri")}</dt>
                <dd>
                  <code className="setup-uri">{status.uri}</code>
                </dd>
                <dt>{t("twoFactorSettings.setupKey")}</dt>
                <dd>
                  <code>{status.secret}</code>
                </dd>
              </dl>
            </li>
            <li>
              <p>{t("twoFactorSettings.enterCode")}</p>
              <FormError message={errorFor("confirm")?.error} />
              <Form method="post" noValidate>
                <Field
                  label={t("twoFactorSettings.codeFromApp")}
                  name="code"
                  type="text"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9 ]*"
                  maxLength={32}
                  required
                  error={errorFor("confirm")?.fieldErrors.code}
                />
                <div className="actions">
                  <button type="submit" name="intent" value="confirm" className="button primary" disabled={busy}>
                    {t("twoFactorSettings.turnOn")}
                  </button>
                  <button type="submit" name="intent" value="cancel" className="button" formNoValidate disabled={busy}>
                    {t("twoFactorSettings.cancelSetup")}
                  </button>
                </div>
              </Form>
            </li>
          </ol>
        </>
      ) : null}

      {status.state === "on" ? (
        <>
          <p>
            {`${t("twoFactorSettings.offIs")} `}
            <strong>{t("twoFactorSettings.on")}</strong>
            {` ${t("twoFactorSettings.since")} `}
            <time dateTime={new Date(status.since).toISOString()}>{new Date(status.since).toISOString().slice(0, 10)}</time>
            {`. ${
              status.recoveryCodesLeft === 1
                ? t("twoFactorSettings.codesLeftOne")
                : t("twoFactorSettings.codesLeft", { count: status.recoveryCodesLeft })
            }`}
          </p>

          <h2>{t("twoFactorSettings.recoveryCodes")}</h2>
          <p>{t("twoFactorSettings.regenerateIntro")}</p>
          <FormError message={errorFor("regenerate-codes")?.error} />
          <Form method="post">
            <button type="submit" name="intent" value="regenerate-codes" className="button" disabled={busy}>
              {t("twoFactorSettings.regenerate")}
            </button>
          </Form>

          <h2>{t("twoFactorSettings.turnOff")}</h2>
          <FormError message={errorFor("disable")?.error} />
          <Form method="post" noValidate>
            <Field
              label={t("twoFactorLogin.code")}
              name="code"
              id="disable-code"
              type="text"
              autoComplete="one-time-code"
              autoCapitalize="off"
              spellCheck={false}
              maxLength={32}
              required
              hint={t("twoFactorSettings.disableHint")}
              error={errorFor("disable")?.fieldErrors.code}
            />
            <button type="submit" name="intent" value="disable" className="button danger" disabled={busy}>
              {t("twoFactorSettings.turnOff")}
            </button>
          </Form>
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/settings/two-factor" backLabel={useT()("twoFactorSettings.back")} />;
}
