/** What a personal API token may do (shared by the token page, the API guard and the OpenAPI document). */

export const API_SCOPES = ["profile:read", "notes:read", "notes:write"] as const;

export type ApiScope = (typeof API_SCOPES)[number];

export const API_SCOPE_LABELS: Record<ApiScope, string> = {
  "profile:read": "Read your profile (id, email, name)",
  "notes:read": "Read your notes",
  "notes:write": "Create, change and delete your notes (includes reading them)",
};

/** A scope that brings others with it: writing notes answers with the note written, so it includes reading. */
const IMPLIED: Partial<Record<ApiScope, ApiScope[]>> = { "notes:write": ["notes:read"] };

/** True when a token granted `granted` may act under `needed`. */
export function scopeAllows(granted: readonly string[], needed: ApiScope): boolean {
  return granted.some((scope) => scope === needed || (IMPLIED[scope as ApiScope] ?? []).includes(needed));
}

/** How long a new token lives; `never` is allowed but flagged on the page. */
export const TOKEN_EXPIRIES = ["7d", "30d", "90d", "365d", "never"] as const;
export type TokenExpiry = (typeof TOKEN_EXPIRIES)[number];
export const DEFAULT_TOKEN_EXPIRY: TokenExpiry = "30d";

export const TOKEN_EXPIRY_LABELS: Record<TokenExpiry, string> = {
  "7d": "7 days",
  "30d": "30 days",
  "90d": "90 days",
  "365d": "1 year",
  never: "Never (not recommended)",
};

const DAY_MS = 86_400_000;

/** The expiry time of a token created at `now`; null for `never`. */
export function expiryTime(expiresIn: TokenExpiry, now: number): number | null {
  return expiresIn === "never" ? null : now + Number.parseInt(expiresIn, 10) * DAY_MS;
}
