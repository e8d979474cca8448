import { useEffect, useState } from "react";
import type { MessageKey, Translate } from "~/i18n/translate";

/**
 * The browser side of passkeys, kept small: @simplewebauthn/browser is
 * loaded only when a ceremony starts (its own chunk, never in the root
 * bundle). Options come from /passkeys/options/<purpose>; the response is
 * returned as JSON text, for the page to post in its `response` form field.
 */

export type PasskeyCeremony = "login" | "reauthenticate" | "register";

/** null until hydrated (and with JavaScript off); then whether this browser can use passkeys at all. */
export function usePasskeySupport(): boolean | null {
  const [supported, setSupported] = useState<boolean | null>(null);
  useEffect(() => {
    setSupported(typeof window.PublicKeyCredential === "function");
  }, []);
  return supported;
}

/** Its message is a catalog key (app/i18n/en.ts). */
export class PasskeyClientError extends Error {
  override name = "PasskeyClientError";
  constructor(readonly key: MessageKey) {
    super(key);
  }
}

async function fetchOptions(purpose: PasskeyCeremony) {
  const response = await fetch(`/passkeys/options/${purpose}`, { method: "POST", headers: { Accept: "application/json" } });
  const type = response.headers.get("Content-Type") ?? "";
  if (!response.ok || response.redirected || !type.includes("json")) {
    throw new PasskeyClientError(response.status === 429 ? "passkey.tooMany" : "passkey.unavailable");
  }
  return response.json();
}

/** Creates a passkey on this device (the browser asks for the PIN or biometrics); the registration response as JSON. */
export async function createPasskey(): Promise<string> {
  const { startRegistration } = await import("@simplewebauthn/browser");
  const optionsJSON = await fetchOptions("register");
  return JSON.stringify(await startRegistration({ optionsJSON }));
}

/**
 * Asks the browser for a passkey of this site; the authentication response as JSON.
 * With `autofill`, the request waits quietly for the user to pick a passkey from the
 * email field's suggestions (conditional mediation); it resolves only then.
 */
export async function getPasskey(purpose: Exclude<PasskeyCeremony, "register">, { autofill = false } = {}): Promise<string> {
  const { startAuthentication } = await import("@simplewebauthn/browser");
  const optionsJSON = await fetchOptions(purpose);
  return JSON.stringify(await startAuthentication({ optionsJSON, useBrowserAutofill: autofill }));
}

/** True when this browser can offer passkeys in the email field's autofill. */
export async function supportsAutofill(): Promise<boolean> {
  const { browserSupportsWebAuthnAutofill } = await import("@simplewebauthn/browser");
  return browserSupportsWebAuthnAutofill();
}

/** A message for a ceremony that did not finish in the browser (cancelled, timed out, not allowed). */
export function passkeyErrorMessage(error: unknown, t: Translate): string | null {
  if (error instanceof PasskeyClientError) return t(error.key);
  const name = error instanceof Error ? error.name : "";
  // A newer ceremony replaced this one (the button after autofill): nothing to say.
  if (name === "AbortError") return null;
  if (name === "NotAllowedError") return t("passkey.cancelled");
  if (name === "InvalidStateError") return t("passkey.alreadyOnDevice");
  return t("passkey.failed");
}
