import { useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { getPasskey, passkeyErrorMessage, supportsAutofill, usePasskeySupport } from "~/auth/passkey-client";
import { useT } from "~/i18n/i18n";

type Props = {
  purpose: "login" | "reauthenticate";
  redirectTo: string;
  /** Read when the passkey is posted (the login form's remember-me box). */
  remember?: () => boolean;
};

/**
 * "Sign in with a passkey" (login) or "Confirm with a passkey" (reauthenticate):
 * the browser's passkey prompt, then a plain form post of its response to this
 * page's action (`intent=passkey`). On the login page the email field also
 * offers passkeys in its autofill, where the browser supports it. Without
 * JavaScript there is no prompt: a note says so (it is the server's rendering,
 * replaced once the page hydrates), and the password form works.
 */
export function PasskeySignIn({ purpose, redirectTo, remember }: Props) {
  const t = useT();
  const supported = usePasskeySupport();
  const submit = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const post = useRef<(response: string) => void>(() => {});
  post.current = (response: string) => {
    const form: Record<string, string> = { intent: "passkey", response, redirectTo };
    if (remember?.()) form.remember = "on";
    submit(form, { method: "post" });
  };

  useEffect(() => {
    if (purpose !== "login" || !supported) return;
    let live = true;
    void (async () => {
      try {
        if (!(await supportsAutofill())) return;
        const response = await getPasskey("login", { autofill: true });
        if (live) post.current(response);
      } catch {
        // Autofill waits in the background; when it ends (the button started a ceremony, or it timed out) there is nothing to say.
      }
    })();
    return () => {
      live = false;
      void import("@simplewebauthn/browser").then(({ WebAuthnAbortService }) => WebAuthnAbortService.cancelCeremony());
    };
  }, [purpose, supported]);

  async function start() {
    setError(null);
    setBusy(true);
    try {
      post.current(await getPasskey(purpose));
    } catch (e) {
      setError(passkeyErrorMessage(e, t));
    } finally {
      setBusy(false);
    }
  }

  const label = purpose === "login" ? t("passkey.signIn") : t("passkey.confirm");
  return (
    <div className="passkey-sign-in">
      {/* Rendered on the server and until hydration; a plain element rather than <noscript>, so every browser without JavaScript shows it. */}
      {supported === null ? (
        <p className="hint">{purpose === "login" ? t("passkey.needsJsLogin") : t("passkey.needsJsConfirm")}</p>
      ) : null}
      {supported === false ? <p className="hint">{t("passkey.unsupported")}</p> : null}
      {supported ? (
        <button type="button" className="button" onClick={start} disabled={busy}>
          {busy ? t("passkey.waiting") : label}
        </button>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
