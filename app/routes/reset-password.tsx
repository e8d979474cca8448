import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import {
  clearResetCookie,
  readResetCookie,
  resetPassword,
  serializeResetCookie,
} from "~/account/password-reset.server";
import { checkToken, type TokenProblem } from "~/account/tokens.server";
import { weakPasswordReason } from "~/auth/password-strength.server";
import { parseForm, readFormData, ResetPasswordSchema } from "~/auth/validation";
import { FormError, NewPasswordField } from "~/components/field";
import { LinkProblem, linkProblemStatus } from "~/components/link-problem";
import { redirectWithFlash } from "~/flash.server";
import { SubmitButton } from "~/components/submit-button";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [
  titleMeta(matches, "reset.title"),
  { name: "referrer", content: "no-referrer" },
];

export const headers: HeadersFunction = () => ({ "Referrer-Policy": "no-referrer" });

const NO_REFERRER = { "Referrer-Policy": "no-referrer" };

async function linkProblem(problem: TokenProblem | "missing") {
  const headers = new Headers(NO_REFERRER);
  if (problem !== "missing") headers.append("Set-Cookie", await clearResetCookie());
  return data({ problem } as const, { status: linkProblemStatus(problem), headers });
}

/**
 * The token is the credential here (this page is public, like the link in the
 * mail): `?token=` moves into a short-lived cookie and the browser comes back
 * to the clean URL; the page then checks that cookie's token.
 */
async function tokenFromCookie(request: Request) {
  const token = await readResetCookie(request);
  if (!token) return { ok: false, problem: "missing" } as const;
  return checkToken(token, ["password_reset"]);
}

export async function loader({ request }: LoaderFunctionArgs) {
  const linkToken = new URL(request.url).searchParams.get("token");
  if (linkToken !== null) {
    throw redirect("/reset-password", {
      headers: { ...NO_REFERRER, "Set-Cookie": await serializeResetCookie(linkToken.slice(0, 200)) },
    });
  }
  const check = await tokenFromCookie(request);
  if (!check.ok) return linkProblem(check.problem);
  return { problem: null, email: check.user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const check = await tokenFromCookie(request);
  if (!check.ok) return linkProblem(check.problem);
  const i18n = i18nOf({ request, context });
  const { t } = i18n;
  const parsed = parseForm(await readFormData(request), ResetPasswordSchema, t);
  const error = parsed.success
    ? await weakPasswordReason(parsed.data.password, check.user, i18n)
    : (parsed.errors.password ?? t("reset.checkPassword"));
  if (!parsed.success || error) {
    return data({ problem: null, fieldErrors: { password: error } }, { status: 400, headers: NO_REFERRER });
  }
  if (!(await resetPassword(check, parsed.data.password, requestOrigin(request, context), Date.now(), i18n.language))) {
    return linkProblem("used");
  }
  return redirectWithFlash(
    "/login",
    { category: "success", message: t("reset.done") },
    { headers: { ...NO_REFERRER, "Set-Cookie": await clearResetCookie() } },
  );
}

export default function ResetPasswordPage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const t = useT();
  const problem = actionData?.problem ?? loaderData.problem;
  if (problem) return <LinkProblem problem={problem} retry={{ to: "/forgot-password", label: t("reset.newLink") }} />;
  const email = "email" in loaderData ? loaderData.email : "";
  const passwordError = actionData && "fieldErrors" in actionData ? actionData.fieldErrors.password : undefined;
  return (
    <section className="card narrow" aria-labelledby="reset-title">
      <h1 id="reset-title">{t("reset.title")}</h1>
      <p>{t("reset.intro", { email })}</p>
      <FormError message={passwordError ? t("reset.chooseDifferent") : null} />
      <Form method="post" noValidate>
        {/* Lets password managers store the new password for the right account. */}
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        <NewPasswordField label={t("form.newPassword")} autoFocus error={passwordError ?? undefined} />
        <SubmitButton busy={busy} busyLabel={t("form.saving")}>
          {t("reset.submit")}
        </SubmitButton>
      </Form>
    </section>
  );
}
