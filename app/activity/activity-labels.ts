import { signInMethodLabel } from "~/auth/sign-in-method";
import type { MessageKey, Translate } from "~/i18n/translate";
import type { ActivityType } from "./activity.server";

/** What each activity type means, in words a user understands (shared by the activity and audit pages): catalog keys. */
export const ACTIVITY_LABEL_KEYS = {
  registered: "activity.registered",
  login_succeeded: "activity.login_succeeded",
  login_failed: "activity.login_failed",
  logout: "activity.logout",
  reauthenticated: "activity.reauthenticated",
  reauthentication_failed: "activity.reauthentication_failed",
  session_revoked: "activity.session_revoked",
  sessions_revoked: "activity.sessions_revoked",
  password_changed: "activity.password_changed",
  password_reset_requested: "activity.password_reset_requested",
  password_reset: "activity.password_reset",
  email_confirmed: "activity.email_confirmed",
  email_change_requested: "activity.email_change_requested",
  email_changed: "activity.email_changed",
  email_change_cancelled: "activity.email_change_cancelled",
  two_factor_enabled: "activity.two_factor_enabled",
  two_factor_disabled: "activity.two_factor_disabled",
  two_factor_reset: "activity.two_factor_reset",
  two_factor_failed: "activity.two_factor_failed",
  recovery_codes_regenerated: "activity.recovery_codes_regenerated",
  recovery_code_used: "activity.recovery_code_used",
  lockout: "activity.lockout",
  role_changed: "activity.role_changed",
  user_created: "activity.user_created",
  user_updated: "activity.user_updated",
  user_activated: "activity.user_activated",
  user_deactivated: "activity.user_deactivated",
  user_deleted: "activity.user_deleted",
  account_deleted: "activity.account_deleted",
  session_protection_triggered: "activity.session_protection_triggered",
  api_token_created: "activity.api_token_created",
  api_token_revoked: "activity.api_token_revoked",
  api_token_new_address: "activity.api_token_new_address",
  api_token_refused: "activity.api_token_refused",
  identity_linked: "activity.identity_linked",
  identity_unlinked: "activity.identity_unlinked",
  provider_sign_in_refused: "activity.provider_sign_in_refused",
  passkey_added: "activity.passkey_added",
  passkey_renamed: "activity.passkey_renamed",
  passkey_removed: "activity.passkey_removed",
  passkey_refused: "activity.passkey_refused",
} as const satisfies Record<ActivityType, MessageKey>;

/** The label of a stored type; an unknown type (from a newer version) shows as itself. */
export function activityLabel(type: string, t: Translate): string {
  const key = (ACTIVITY_LABEL_KEYS as Record<string, MessageKey>)[type];
  return key ? t(key) : type;
}

/** The words for each detail key an event stores; a key not listed is spelled out from its camelCase. */
const DETAIL_LABELS: Record<string, MessageKey> = {
  otherSessionsEnded: "detail.otherSessionsEnded",
  tokensRevoked: "detail.tokensRevoked",
  remember: "detail.remember",
  method: "detail.method",
  count: "detail.count",
  all: "detail.all",
  remaining: "detail.remaining",
  with: "detail.with",
  step: "detail.step",
  ended: "detail.ended",
  mode: "detail.mode",
  fields: "detail.fields",
  roles: "detail.roles",
  active: "detail.active",
  device: "detail.device",
  ip: "detail.ip",
  token: "detail.token",
  scopes: "detail.scopes",
  expires: "detail.expires",
  first: "detail.first",
  reason: "detail.reason",
  scope: "detail.scope",
  limit: "detail.limit",
  seconds: "detail.seconds",
  lockouts: "detail.lockouts",
  userId: "detail.userId",
  provider: "detail.provider",
};

function detailLabel(key: string, t: Translate): string {
  const known = DETAIL_LABELS[key];
  return known ? t(known) : key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replaceAll("_", " ").toLowerCase();
}

function detailValue(key: string, value: unknown, t: Translate, providerLabel?: (id: string) => string): string {
  if (value === true) return t("detail.yes");
  if (value === false) return t("detail.no");
  if (key === "method" && typeof value === "string") return signInMethodLabel(value, t, providerLabel);
  if (key === "provider" && typeof value === "string" && providerLabel) return providerLabel(value);
  if (typeof value === "string") return value.replaceAll(",", ", ");
  return String(value);
}

/**
 * A short, readable summary of an event's details ("other sessions signed out: 2, remember me: yes").
 * `providerLabel` (server side: from the configuration) names sign-in providers by their button label.
 */
export function describeDetails(details: Record<string, unknown>, t: Translate, providerLabel?: (id: string) => string): string {
  return Object.entries(details)
    .map(([key, value]) => `${detailLabel(key, t)}: ${detailValue(key, value, t, providerLabel)}`)
    .join(", ");
}
