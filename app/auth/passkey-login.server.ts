import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { findUserById } from "~/users/users.server";
import type { Auth } from "./guards.server";
import { completeSignIn } from "./login.server";
import { parseAuthenticationResponse, PasskeyError, passkeyRefusalMessage, type PasskeyPurpose, passkeyOwner, recordPasskeyRefusal, verifyPasskey } from "./passkeys.server";
import { startAttempt } from "./rate-limit.server";
import { completeReauthentication } from "./reauthenticate.server";
import { parseForm } from "./validation";
import { i18nOf } from "~/i18n/i18n.server";

/**
 * The passkey as a factor: "verify it, then complete the sign-in (or the
 * step-up)". The browser posts its WebAuthn response as JSON in the `response`
 * field of an ordinary form (`intent=passkey`), so the same-origin check and
 * the forms-only body rule apply unchanged. Tries are counted like passwords
 * (scope "passkey": per account, per account+address, per address), reserved
 * before the signature is checked.
 */

export const PasskeyFormSchema = z.object({
  response: z.string({ message: "passkey.responseMissing" }).min(1, "passkey.responseMissing"),
  remember: z.string().optional().transform((v) => v === "on"),
  redirectTo: z.string().optional(),
});

/** A refusal the page shows (400): the ceremony's message, nothing changed. */
export type PasskeyRefused = { error: string };

async function verifyWithLimit(
  form: FormData,
  request: Request,
  context: AppLoadContext,
  purpose: Exclude<PasskeyPurpose, "register">,
  userId: number | null,
): Promise<{ userId: number; form: z.infer<typeof PasskeyFormSchema> } | PasskeyRefused> {
  const origin = requestOrigin(request, context);
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(form, PasskeyFormSchema, t);
  if (!parsed.success) return { error: parsed.errors.response ?? t("passkey.unreadable") };
  let response;
  try {
    response = parseAuthenticationResponse(parsed.data.response);
  } catch (error) {
    if (!(error instanceof PasskeyError)) throw error;
    await recordPasskeyRefusal(error, purpose, origin);
    return { error: passkeyRefusalMessage(error, t) };
  }
  const owner = userId ?? (await passkeyOwner(response));
  // Before the signature is checked: a locked account gets its 429 even for the right passkey.
  const attempt = await startAttempt("passkey", { account: owner, address: context.clientIp, subjectId: owner }, origin);
  try {
    const passkey = await verifyPasskey(response, { purpose, userId }, Date.now());
    const user = await findUserById(passkey.user_id);
    if (!user?.active) throw new PasskeyError("inactive", passkey.user_id);
    await attempt.succeeded();
    return { userId: user.id, form: parsed.data };
  } catch (error) {
    if (!(error instanceof PasskeyError)) {
      await attempt.cancelled();
      throw error;
    }
    await attempt.failed({ subjectId: error.userId ?? owner });
    await recordPasskeyRefusal(error, purpose, origin);
    return { error: passkeyRefusalMessage(error, t) };
  }
}

/**
 * Signs in with a discoverable passkey: no email, the passkey names its user.
 * User verification is required, so it is two factors at once: no TOTP step.
 * A new session (new id, method "passkey") and a login_succeeded entry.
 */
export async function loginWithPasskey(form: FormData, request: Request, context: AppLoadContext): Promise<Response | PasskeyRefused> {
  const result = await verifyWithLimit(form, request, context, "login", null);
  if ("error" in result) return result;
  const { remember, redirectTo } = result.form;
  return completeSignIn(request, context, { userId: result.userId, remember, redirectTo, method: "passkey" });
}

/** Reauthenticates the signed-in user with one of their own passkeys: the session gets a new id and is fresh. */
export async function reauthenticateWithPasskey(
  auth: Auth,
  form: FormData,
  request: Request,
  context: AppLoadContext,
): Promise<Response | PasskeyRefused> {
  const result = await verifyWithLimit(form, request, context, "reauthenticate", auth.user.id);
  if ("error" in result) return result;
  return completeReauthentication(request, context, auth, result.form.redirectTo, { factor: "passkey" });
}
