import { signInMethodLabel } from "~/auth/sign-in-method";
import type { ActivityType } from "./activity.server";

/** What each activity type means, in words a user understands (shared by the activity and audit pages). */
export const ACTIVITY_LABELS: Record<ActivityType, string> = {
  registered: "Account created",
  login_succeeded: "Signed in",
  login_failed: "Failed sign-in attempt",
  logout: "Signed out",
  reauthenticated: "Password confirmed",
  reauthentication_failed: "Wrong password when confirming",
  session_revoked: "Session signed out",
  sessions_revoked: "Other sessions signed out",
  password_changed: "Password changed",
  password_reset_requested: "Password reset requested",
  password_reset: "Password reset",
  email_confirmed: "Email confirmed",
  email_change_requested: "Email change requested",
  email_changed: "Email changed",
  email_change_cancelled: "Email change cancelled",
  two_factor_enabled: "Two-factor authentication turned on",
  two_factor_disabled: "Two-factor authentication turned off",
  two_factor_reset: "Two-factor authentication reset by an administrator",
  two_factor_failed: "Wrong two-factor code",
  recovery_codes_regenerated: "New recovery codes generated",
  recovery_code_used: "Recovery code used",
  lockout: "Sign-in locked after failed attempts",
  role_changed: "Role changed",
  user_created: "Account created by an administrator",
  user_updated: "Account updated by an administrator",
  user_activated: "Account activated",
  user_deactivated: "Account deactivated",
  user_deleted: "Account deleted by an administrator",
  account_deleted: "Account deleted",
  session_protection_triggered: "Session used from a different browser or network",
  api_token_created: "API token created",
  api_token_revoked: "API token revoked",
  api_token_new_address: "API token used from a new address",
  api_token_refused: "API token refused",
  identity_linked: "Sign-in provider linked",
  identity_unlinked: "Sign-in provider unlinked",
  provider_sign_in_refused: "Sign-in with a provider refused",
  passkey_added: "Passkey added",
  passkey_renamed: "Passkey renamed",
  passkey_removed: "Passkey removed",
  passkey_refused: "Passkey refused",
};

/** The label of a stored type; an unknown type (from a newer version) shows as itself. */
export function activityLabel(type: string): string {
  return (ACTIVITY_LABELS as Record<string, string>)[type] ?? type;
}

/** The words for each detail key an event stores; a key not listed is spelled out from its camelCase. */
const DETAIL_LABELS: Record<string, string> = {
  otherSessionsEnded: "other sessions signed out",
  tokensRevoked: "API tokens revoked",
  remember: "remember me",
  method: "signed in with",
  count: "sessions",
  all: "all sessions",
  remaining: "recovery codes left",
  with: "with",
  step: "step",
  ended: "session ended",
  mode: "protection",
  fields: "changed",
  roles: "roles",
  active: "active",
  device: "device",
  ip: "address",
  token: "token",
  scopes: "scopes",
  expires: "expires",
  first: "first use",
  reason: "reason",
  scope: "limit",
  limit: "counted by",
  seconds: "seconds",
  lockouts: "attempts",
  userId: "user id",
  provider: "provider",
};

function detailLabel(key: string): string {
  return DETAIL_LABELS[key] ?? key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replaceAll("_", " ").toLowerCase();
}

function detailValue(key: string, value: unknown, providerLabel?: (id: string) => string): string {
  if (value === true) return "yes";
  if (value === false) return "no";
  if (key === "method" && typeof value === "string") return signInMethodLabel(value, providerLabel);
  if (key === "provider" && typeof value === "string" && providerLabel) return providerLabel(value);
  if (typeof value === "string") return value.replaceAll(",", ", ");
  return String(value);
}

/**
 * A short, readable summary of an event's details ("other sessions signed out: 2, remember me: yes").
 * `providerLabel` (server side: from the configuration) names sign-in providers by their button label.
 */
export function describeDetails(details: Record<string, unknown>, providerLabel?: (id: string) => string): string {
  return Object.entries(details)
    .map(([key, value]) => `${detailLabel(key)}: ${detailValue(key, value, providerLabel)}`)
    .join(", ");
}
