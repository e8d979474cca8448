import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { requireAnonymous } from "~/auth/guards.server";
import { completeSignIn } from "~/auth/login.server";
import { clearFlowCookie, consumeFlow, readPendingConfirmation } from "~/auth/oidc/flow.server";
import { IdentityTakenError, linkIdentity } from "~/auth/oidc/identities.server";
import { requireProvider } from "~/auth/oidc/providers.server";
import { LINK_FROM_SETTINGS } from "~/auth/oidc/sign-in.server";
import { hasPassword, verifyPassword } from "~/auth/password.server";
import { rateLimitHeaders, startAttempt } from "~/auth/rate-limit.server";
import { parseForm, readFormData } from "~/auth/validation";
import { CurrentPasswordField, FormError } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { announce } from "~/events/events.server";
import { findUserById } from "~/users/users.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

/**
 * /auth/<id>/link: a provider vouched for an email that an existing account
 * uses. Nothing is linked until that account proves itself with its password
 * (docs/decisions/015-oidc-account-linking.md).
 */

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "oidc.linkTitle")];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

const ConfirmLinkSchema = z.object({
  password: z.string({ message: "v.passwordRequired" }).min(1, "v.passwordRequired").max(1024, "v.passwordTooLong"),
});

const EXPIRED = "oidc.linkExpired";

async function pendingLink(request: Request, providerId: string | undefined) {
  const provider = requireProvider(providerId);
  const flow = await readPendingConfirmation(request, provider);
  const user = flow?.userId ? await findUserById(flow.userId) : undefined;
  return { provider, flow: user?.active ? flow : null, user: user?.active ? user : undefined };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireProvider(params.provider);
  await requireAnonymous({ request, context });
  const { provider, flow, user } = await pendingLink(request, params.provider);
  const { t } = i18nOf({ request, context });
  if (!flow || !user) return data({ label: provider.label, email: null, canConfirm: false, problem: t(EXPIRED) }, { status: 410 });
  if (!hasPassword(user)) {
    const problem = t(LINK_FROM_SETTINGS, { provider: provider.label });
    return data({ label: provider.label, email: user.email, canConfirm: false, problem }, { status: 409 });
  }
  return { label: provider.label, email: user.email, canConfirm: true, problem: null };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  requireProvider(params.provider);
  await requireAnonymous({ request, context });
  const { provider, flow, user } = await pendingLink(request, params.provider);
  const { t } = i18nOf({ request, context });
  if (!flow || !user || !flow.issuer || !flow.subject) return data({ error: t(EXPIRED), fieldErrors: {} as Record<string, string> }, { status: 410 });
  const parsed = parseForm(await readFormData(request), ConfirmLinkSchema, t);
  if (!parsed.success) return data({ error: t("form.checkField"), fieldErrors: parsed.errors }, { status: 400 });
  const origin = requestOrigin(request, context);
  const attempt = await startAttempt("password", { account: user.email, address: context.clientIp, subjectId: user.id }, origin);
  if (!(await verifyPassword(parsed.data.password, user.password_hash))) {
    await attempt.failed();
    await announce({ type: "login_failed", actorId: null, subjectId: user.id, details: { provider: provider.id } }, origin);
    return data({ error: t("reauth.incorrectPassword"), fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  await attempt.succeeded();
  if (!(await consumeFlow(flow))) return data({ error: t(EXPIRED), fieldErrors: {} as Record<string, string> }, { status: 410 });
  try {
    await linkIdentity(
      user.id,
      provider.id,
      { issuer: flow.issuer, subject: flow.subject, email: flow.email, emailVerified: true, name: null },
      { userId: user.id, origin },
    );
  } catch (error) {
    if (error instanceof IdentityTakenError) {
      return data({ error: t("oidc.linkedToOther", { provider: provider.label }), fieldErrors: {} as Record<string, string> }, { status: 409 });
    }
    throw error;
  }
  const response = await completeSignIn(request, context, { userId: user.id, remember: false, redirectTo: flow.redirectTo, method: `oidc:${provider.id}` });
  response.headers.append("Set-Cookie", await clearFlowCookie());
  return response;
}

export default function ConfirmLinkPage() {
  const { label, email, canConfirm, problem } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const t = useT();
  return (
    <section className="card narrow" aria-labelledby="confirm-link-title">
      <h1 id="confirm-link-title">{t("oidc.linkHeading", { provider: label })}</h1>
      {canConfirm ? (
        <>
          <p>{t("oidc.linkIntro", { email: email ?? "", provider: label })}</p>
          <FormError message={actionData?.error} />
          <Form method="post" noValidate>
            <input type="hidden" name="username" autoComplete="username" value={email ?? ""} readOnly />
            <CurrentPasswordField autoFocus error={actionData?.fieldErrors.password} />
            <button type="submit" className="button primary" disabled={busy}>
              {t("oidc.linkSubmit")}
            </button>
          </Form>
        </>
      ) : (
        <p role="alert">{problem}</p>
      )}
      <p className="aside">
        <Link to="/login">{t("tooMany.backToLogin")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary />;
}
