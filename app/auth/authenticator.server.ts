import type { AppLoadContext } from "@remix-run/node";
import { FormStrategy } from "remix-auth-form";
import type { User } from "~/db.server";
import { findUserByEmail, upgradePasswordHash } from "~/users/users.server";
import { requestOrigin } from "~/activity/activity.server";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "./password.server";
import { startAttempt } from "./rate-limit.server";
import { type FieldErrors, LoginSchema, parseForm, readFormData } from "./validation";
import { i18nOf } from "~/i18n/i18n.server";
import type { MessageKey } from "~/i18n/translate";

/** The one message for every failed login: unknown email, wrong password, inactive account (a catalog key). */
export const INVALID_CREDENTIALS = "login.invalid";

/** Thrown by the form strategy (its message a catalog key); the login action turns it into a 400 with the form again. */
export class LoginError extends Error {
  override name = "LoginError";
  constructor(
    message: MessageKey,
    readonly fieldErrors: FieldErrors = {},
    readonly email = "",
  ) {
    super(message);
  }

  declare readonly message: MessageKey;
}

export type LoginResult = { user: User; remember: boolean; redirectTo: string | undefined };

/**
 * Checks an email and password. Every failure costs one bcrypt comparison
 * (against a dummy hash when the email is unknown) and returns the same
 * error, so neither the answer nor its timing tells whether an account exists.
 */
export async function verifyCredentials(email: string, password: string): Promise<User | null> {
  const user = await findUserByEmail(email);
  if (!user) return verifyAgainstDummy(password).then(() => null);
  if (!(await verifyPassword(password, user.password_hash))) return null;
  if (!user.active) return null;
  if (needsRehash(user.password_hash)) {
    // Upgrade the hash to the configured cost now that the password is known.
    await upgradePasswordHash(user.id, user.password_hash, await hashPassword(password));
  }
  return user;
}

/**
 * Runs the email-password strategy for a login action (with its brute-force limits).
 *
 * The strategy is made per login so that its verify step sees this request's
 * load context (the client address). remix-auth's Authenticator would hand the
 * strategy only a copy of the request, and carrying the context across it
 * through AsyncLocalStorage switches on async hooks for every later request in
 * the process (measured on Node 20: every promise pays for them).
 */
export async function authenticateLogin(request: Request, context: AppLoadContext): Promise<LoginResult> {
  // The strategy reads the form itself; an unreadable body must be a 400 before it does.
  await readFormData(request.clone());
  const strategy = new FormStrategy<LoginResult>(({ form }) => verifyLoginForm(form, request, context));
  return strategy.authenticate(request);
}

async function verifyLoginForm(form: FormData, request: Request, context: AppLoadContext): Promise<LoginResult> {
  const parsed = parseForm(form, LoginSchema, i18nOf({ request, context }).t);
  if (!parsed.success) {
    const email = form.get("email");
    throw new LoginError("form.checkFields", parsed.errors, typeof email === "string" ? email : "");
  }
  const { email, password, remember, redirectTo } = parsed.data;
  const origin = requestOrigin(request, context);
  // Before the password is read: a locked account gets its 429 even for the right password.
  const attempt = await startAttempt("password", { account: email, address: context.clientIp }, origin);
  const user = await verifyCredentials(email, password);
  if (!user) {
    await attempt.failed({ subjectId: (await findUserByEmail(email))?.id ?? null });
    throw new LoginError(INVALID_CREDENTIALS, {}, email);
  }
  await attempt.succeeded();
  return { user, remember, redirectTo };
}
