import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requestOrigin } from "~/activity/activity.server";
import { getConfig } from "~/config.server";
import { announce } from "~/events/events.server";
import { redirectWithFlash } from "~/flash.server";
import { logger } from "~/logger.server";
import { createUser, EmailTakenError, findUserByEmail, findUserById } from "~/users/users.server";
import { db, type User } from "~/db.server";
import { getAuth } from "../guards.server";
import { completeSignIn } from "../login.server";
import { startAttempt } from "../rate-limit.server";
import { completeReauthentication } from "../reauthenticate.server";
import { clearFlowCookie, finishProviderFlow, type Flow, holdForConfirmation, type ProviderIdentity, ProviderFlowError } from "./flow.server";
import { findIdentity, IdentityTakenError, linkIdentity, touchIdentity } from "./identities.server";
import type { Provider } from "./providers.server";
import { i18nOf } from "~/i18n/i18n.server";

/**
 * What a verified provider identity leads to (docs/decisions/015):
 *
 *   linked to a user           sign in as that user (its second factor first, with OIDC_REQUIRE_TOTP)
 *   unlinked, verified email of an existing account
 *                              the account proves itself (its password) before the link: /auth/<id>/link
 *   unlinked, unverified email of an existing account
 *                              refused: sign in, then link from settings
 *   unlinked, email unknown    a new account (REGISTRATION=open), email confirmed when the provider verified it
 */

/** A catalog key, with `{provider}`. */
export const LINK_FROM_SETTINGS = "oidc.linkFromSettings";

/** The callback's answer: a redirect, or (thrown) a ProviderFlowError for the error page. */
export async function handleProviderCallback(request: Request, context: AppLoadContext, provider: Provider): Promise<Response> {
  const origin = requestOrigin(request, context);
  const attempt = await startAttempt("provider", { address: context.clientIp }, origin);
  let result: { flow: Flow; identity: ProviderIdentity };
  try {
    result = await finishProviderFlow(request, provider);
  } catch (error) {
    if (error instanceof ProviderFlowError) {
      await attempt.failed();
      await announce({ type: "provider_sign_in_refused", actorId: null, details: { provider: provider.id, reason: error.message.slice(0, 120) } }, origin);
    } else {
      await attempt.cancelled();
    }
    throw error;
  }
  await attempt.succeeded();
  const { flow, identity } = result;
  const response = await routeIdentity(request, context, provider, flow, identity);
  if (!response.headers.getSetCookie().some((c) => c.startsWith(`${getConfig().sessionCookieName}_oidc=`))) {
    response.headers.append("Set-Cookie", await clearFlowCookie());
  }
  return response;
}

async function routeIdentity(
  request: Request,
  context: AppLoadContext,
  provider: Provider,
  flow: Flow,
  identity: ProviderIdentity,
): Promise<Response> {
  const origin = requestOrigin(request, context);
  const actor = (userId: number | null) => ({ userId, origin });
  const linked = await findIdentity(identity.issuer, identity.subject);
  const auth = getAuth({ context });

  if (flow.purpose === "link" || flow.purpose === "reauthenticate") {
    // Only the signed-in user who started it may finish it.
    if (!auth || auth.user.id !== flow.userId) throw new ProviderFlowError("oidc.signInAgain", 403);
    if (flow.purpose === "reauthenticate") {
      if (linked?.user_id !== auth.user.id) {
        throw new ProviderFlowError("oidc.notLinked", 403, { provider: provider.label });
      }
      await touchIdentity(linked.id);
      return completeReauthentication(request, context, auth, flow.redirectTo ?? undefined);
    }
    if (linked && linked.user_id !== auth.user.id) {
      throw new ProviderFlowError("oidc.linkedToOther", 409, { provider: provider.label });
    }
    if (!linked) await linkIdentity(auth.user.id, provider.id, identity, actor(auth.user.id));
    const { t } = i18nOf({ request, context });
    return redirectWithFlash("/settings/connections", { category: "success", message: t("oidc.linked", { provider: provider.label }) });
  }

  // Sign-in.
  if (linked) {
    const user = await findUserById(linked.user_id);
    if (!user || !user.active) throw new ProviderFlowError("passkey.inactive", 403);
    await touchIdentity(linked.id);
    return completeSignIn(request, context, { userId: user.id, remember: false, redirectTo: flow.redirectTo, method: `oidc:${provider.id}` });
  }
  if (!identity.email) throw new ProviderFlowError("oidc.noEmail", 400, { provider: provider.label });
  const existing = await findUserByEmail(identity.email);
  if (existing) {
    if (!identity.emailVerified) throw new ProviderFlowError(LINK_FROM_SETTINGS, 409, { provider: provider.label });
    const setCookie = await holdForConfirmation(provider, identity, existing.id, flow.redirectTo);
    return redirect(`/auth/${provider.id}/link`, { headers: { "Set-Cookie": setCookie } });
  }
  if (getConfig().registration === "closed") {
    throw new ProviderFlowError("oidc.registrationClosed", 403);
  }
  let user: User;
  try {
    user = await createUser({
      email: identity.email,
      name: (identity.name ?? identity.email.split("@")[0] ?? "").trim().slice(0, 100) || "New user",
      passwordHash: "",
    });
  } catch (error) {
    if (error instanceof EmailTakenError) throw new ProviderFlowError(LINK_FROM_SETTINGS, 409, { provider: provider.label });
    throw error;
  }
  if (identity.emailVerified) {
    await db.updateTable("users").set({ email_confirmed_at: Date.now() }).where("id", "=", user.id).execute();
  }
  try {
    await linkIdentity(user.id, provider.id, identity, actor(user.id));
  } catch (error) {
    // Another tab linked the same account a moment ago: no half-made user stays behind.
    await db.deleteFrom("users").where("id", "=", user.id).execute();
    if (error instanceof IdentityTakenError) throw new ProviderFlowError("oidc.startAgain", 409);
    throw error;
  }
  await announce({ type: "registered", actorId: user.id, details: { provider: provider.id } }, origin);
  logger.info({ provider: provider.id, userId: user.id }, "account created by a sign-in provider");
  return completeSignIn(request, context, { userId: user.id, remember: false, redirectTo: flow.redirectTo, method: `oidc:${provider.id}` });
}

