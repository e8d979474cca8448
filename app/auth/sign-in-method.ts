import type { Translate } from "~/i18n/translate";
/**
 * How a session was signed in. Stored on the session (`sessions.method`) and
 * in the `login_succeeded` activity entry, shown on the devices page.
 *
 *   password              the password alone
 *   password+code         the password, then a TOTP or recovery code
 *   passkey               a passkey with user verification (two factors in one)
 *   oidc:<provider>       an OpenID Connect / OAuth provider alone
 *   oidc:<provider>+code  the provider, then a TOTP or recovery code
 */
export type FirstFactor = "password" | "passkey" | `oidc:${string}`;
export type SignInMethod = FirstFactor | `${FirstFactor}+code`;

/** The method once a second factor (a code) completes a sign-in that began with `first`. */
export function withCode(first: string): SignInMethod {
  return `${first.replace(/\+code$/, "")}+code` as SignInMethod;
}

/**
 * "Password and code", "Passkey", "GitHub and code". `providerLabel` turns a
 * provider id into its button label; an unknown method is shown as stored.
 */
export function signInMethodLabel(method: string, t: Translate, providerLabel: (id: string) => string = (id) => id): string {
  const [first = "", code] = method.split("+");
  let name: string;
  if (first === "password") name = t("method.password");
  else if (first === "passkey") name = t("method.passkey");
  else if (first.startsWith("oidc:")) name = providerLabel(first.slice(5));
  else name = first;
  return code === "code" ? t("method.withCode", { name }) : name;
}
