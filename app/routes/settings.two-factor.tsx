import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { recordActivity, requestOrigin } from "~/activity/activity.server";
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
import { sendTwoFactorNotice } from "~/auth/two-factor-notice.server";
import { parseForm, readFormData, TwoFactorCodeSchema } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { redirectWithFlash } from "~/flash.server";

export const meta: MetaFunction = () => [{ title: "Two-factor authentication · Remix Auth Kit" }];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

const IntentSchema = z.object({
  intent: z.enum(["start", "cancel", "confirm", "regenerate-codes", "disable"], { message: "Unknown action." }),
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
  const parsedIntent = parseForm(form, IntentSchema);
  if (!parsedIntent.success) return invalid(null, parsedIntent.errors.intent ?? "Unknown action.");
  const { intent } = parsedIntent.data;
  const origin = requestOrigin(request, context);

  switch (intent) {
    case "start": {
      if (!(await beginTwoFactorSetup(user.id))) return invalid(intent, "Two-factor authentication is already on.");
      return redirect("/settings/two-factor");
    }
    case "cancel": {
      await cancelTwoFactorSetup(user.id);
      return redirect("/settings/two-factor");
    }
    case "confirm": {
      const parsed = parseForm(form, TwoFactorCodeSchema);
      if (!parsed.success) return invalid(intent, "Check the highlighted field.", parsed.errors);
      const recoveryCodes = await confirmTwoFactorSetup(user.id, parsed.data.code);
      if (!recoveryCodes) {
        return invalid(intent, "That code is not right.", {
          code: "Enter the 6-digit code your app shows now (check that the device's clock is right).",
        });
      }
      await recordActivity({ type: "two_factor_enabled", actorId: user.id }, origin);
      await sendTwoFactorNotice(user, "enabled");
      return data({ intent, error: null, fieldErrors: {} as Record<string, string>, recoveryCodes });
    }
    case "regenerate-codes": {
      if (!(await isTwoFactorEnabled(user.id))) return invalid(intent, "Two-factor authentication is off.");
      const recoveryCodes = await replaceRecoveryCodes(user.id);
      await recordActivity({ type: "recovery_codes_regenerated", actorId: user.id }, origin);
      await sendTwoFactorNotice(user, "recovery_codes_regenerated");
      return data({ intent, error: null, fieldErrors: {} as Record<string, string>, recoveryCodes });
    }
    case "disable": {
      if (!(await isTwoFactorEnabled(user.id))) return redirect("/settings/two-factor");
      const parsed = parseForm(form, TwoFactorCodeSchema);
      if (!parsed.success) return invalid(intent, "Check the highlighted field.", parsed.errors);
      const attempt = await startAttempt("two-factor", { account: user.id, address: context.clientIp, subjectId: user.id }, origin);
      const check = await checkSecondFactor(user.id, parsed.data.code);
      if (!check.ok) {
        await attempt.failed();
        await recordActivity({ type: "two_factor_failed", actorId: user.id, details: { step: "disable" } }, origin);
        if (check.reason === "used") return invalid(intent, CODE_ALREADY_USED, { code: "Wait for the next code from your app." });
        return invalid(intent, "That code is not valid.", { code: "Enter a current code from your app, or a recovery code." });
      }
      const { factor } = check;
      await attempt.succeeded();
      await disableTwoFactor(user.id);
      await recordActivity({ type: "two_factor_disabled", actorId: user.id, details: { with: factor } }, origin);
      await sendTwoFactorNotice(user, "disabled");
      return redirectWithFlash("/settings/two-factor", { category: "success", message: "Two-factor authentication is off." });
    }
  }
}

function RecoveryCodes({ codes, heading }: { codes: string[]; heading: string }) {
  return (
    <section aria-labelledby="recovery-title" className="recovery-codes">
      <h2 id="recovery-title">{heading}</h2>
      <p>
        Each code logs you in once if you lose your device. Keep them somewhere safe (a password manager, or
        printed): <strong>they are shown only this once.</strong>
      </p>
      <ul aria-label="Recovery codes" className="code-list">
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
  const text = `Remix Auth Kit recovery codes. Each one signs you in once.\n\n${codes.join("\n")}\n`;
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState<"" | "yes" | "no">("");
  useEffect(() => setCanCopy(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  return (
    <div className="actions">
      <a className="button" download="recovery-codes.txt" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}>
        Download as a text file
      </a>
      {canCopy ? (
        <button
          type="button"
          className="button"
          onClick={() => navigator.clipboard.writeText(text).then(() => setCopied("yes"), () => setCopied("no"))}
        >
          Copy the codes
        </button>
      ) : null}
      <p aria-live="polite" className="hint">
        {copied === "yes" ? "Copied to the clipboard." : copied === "no" ? "The browser did not allow copying: download them instead." : ""}
      </p>
    </div>
  );
}

export default function TwoFactorSettingsPage() {
  const status = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errorFor = (intent: Intent) => (actionData?.intent === intent ? actionData : null);

  return (
    <section aria-labelledby="two-factor-title">
      <h1 id="two-factor-title">Two-factor authentication</h1>

      {actionData?.recoveryCodes ? (
        <>
          <p role="status" className="flash flash-success">
            {actionData.intent === "confirm"
              ? "Two-factor authentication is on."
              : "New recovery codes are ready; the old ones no longer work."}
          </p>
          <RecoveryCodes codes={actionData.recoveryCodes} heading="Your recovery codes" />
        </>
      ) : null}

      {status.state === "off" ? (
        <>
          <p>
            Two-factor authentication is <strong>off</strong>. Turn it on and logging in will also need a code from an
            authenticator app on your phone, so a stolen password alone is not enough.
          </p>
          <FormError message={errorFor("start")?.error} />
          <Form method="post">
            <button type="submit" name="intent" value="start" className="button primary" disabled={busy}>
              Set up two-factor
            </button>
          </Form>
        </>
      ) : null}

      {status.state === "pending" ? (
        <>
          <ol className="steps">
            <li>
              <p>Scan this QR code with your authenticator app (Google Authenticator, 1Password, Aegis, …).</p>
              <figure className="qr-code" role="img" aria-label="QR code for your authenticator app">
                <div dangerouslySetInnerHTML={{ __html: status.qrCode }} />
              </figure>
            </li>
            <li>
              <p>Can&apos;t scan it? Add the account by hand with this setup URI or key:</p>
              <dl className="facts">
                <dt>Setup URI</dt>
                <dd>
                  <code className="setup-uri">{status.uri}</code>
                </dd>
                <dt>Setup key</dt>
                <dd>
                  <code>{status.secret}</code>
                </dd>
              </dl>
            </li>
            <li>
              <p>Enter the 6-digit code your app now shows to turn two-factor on.</p>
              <FormError message={errorFor("confirm")?.error} />
              <Form method="post" noValidate>
                <Field
                  label="Code from your app"
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
                    Turn on two-factor
                  </button>
                  <button type="submit" name="intent" value="cancel" className="button" formNoValidate disabled={busy}>
                    Cancel setup
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
            Two-factor authentication is <strong>on</strong> since{" "}
            <time dateTime={new Date(status.since).toISOString()}>{new Date(status.since).toISOString().slice(0, 10)}</time>.
            You have {status.recoveryCodesLeft} unused recovery code{status.recoveryCodesLeft === 1 ? "" : "s"}.
          </p>

          <h2>Recovery codes</h2>
          <p>Generating a new set replaces the old one: the old codes stop working at once.</p>
          <FormError message={errorFor("regenerate-codes")?.error} />
          <Form method="post">
            <button type="submit" name="intent" value="regenerate-codes" className="button" disabled={busy}>
              Generate new recovery codes
            </button>
          </Form>

          <h2>Turn off two-factor</h2>
          <FormError message={errorFor("disable")?.error} />
          <Form method="post" noValidate>
            <Field
              label="Authentication code"
              name="code"
              id="disable-code"
              type="text"
              autoComplete="one-time-code"
              autoCapitalize="off"
              spellCheck={false}
              maxLength={32}
              required
              hint="A current code from your app, or a recovery code."
              error={errorFor("disable")?.fieldErrors.code}
            />
            <button type="submit" name="intent" value="disable" className="button danger" disabled={busy}>
              Turn off two-factor
            </button>
          </Form>
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/settings/two-factor" backLabel="Back to two-factor settings" />;
}
