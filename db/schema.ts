import type { Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * The database's shape, in one place. Times are milliseconds since the epoch
 * (integers), booleans are 0/1, so the same schema runs on SQLite and PostgreSQL.
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  notes: NotesTable;
  activity: ActivityTable;
  account_tokens: AccountTokensTable;
  two_factor: TwoFactorTable;
  recovery_codes: RecoveryCodesTable;
  pending_logins: PendingLoginsTable;
  recovery_code_keys: RecoveryCodeKeysTable;
  rate_limits: RateLimitsTable;
  roles: RolesTable;
  permissions: PermissionsTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
  /** @sqliteOnly PostgreSQL searches `users` through pg_trgm indexes instead (db/migrations/0003). */
  users_search: UsersSearchTable;
  /** @postgresOnly SQLite counts `users` through an index instead. */
  users_count: UsersCountTable;
  api_tokens: ApiTokensTable;
  api_token_addresses: ApiTokenAddressesTable;
  user_identities: UserIdentitiesTable;
  oidc_flows: OidcFlowsTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
}

export interface UsersTable {
  id: Generated<number>;
  /** Always stored trimmed and lower-cased; unique. */
  email: string;
  name: string;
  /** bcrypt; the empty string for a user created by a sign-in provider who never set a password (nothing matches it). */
  password_hash: string;
  active: Generated<number>;
  created_at: number;
  updated_at: number;
  /** When the user proved they receive mail at `email`; null = unconfirmed. */
  email_confirmed_at: number | null;
  /** The language chosen with the layout's switch (app/i18n/languages.ts); null = the browser's Accept-Language decides. */
  language: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the session id; the id itself lives only in the user's cookie. */
  id_hash: string;
  user_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  remember: number;
  /** When the password was last entered in this session; null = not fresh. */
  fresh_at: number | null;
  user_agent: string;
  ip: string;
  /** A random id for the devices page (revoke by it); reveals nothing about the session id. */
  public_id: string;
  /** How the session was signed in: app/auth/sign-in-method.ts. */
  method: Generated<string>;
  /** After a rotation, until the new id is seen: the previous id's hash (its grace: app/auth/sessions.server.ts). */
  previous_id_hash: string | null;
  rotated_at: number | null;
  /** The new id, sealed under the previous one (only its holder can open it). */
  next_id_sealed: string | null;
}

export interface NotesTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  body: string;
  created_at: number;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type Note = Selectable<NotesTable>;

export interface ActivityTable {
  id: Generated<number>;
  created_at: number;
  /** One of ACTIVITY_TYPES (app/activity/activity.server.ts). */
  type: string;
  /** Who did it (null: anonymous, or a deleted account). */
  actor_id: number | null;
  /** Whom it concerns (null: none, or a deleted account). */
  subject_id: number | null;
  ip: string;
  user_agent: string;
  /** JSON object with non-secret details (never passwords, tokens or codes). */
  details: string;
}

export type ActivityRow = Selectable<ActivityTable>;

export interface AccountTokensTable {
  id: Generated<number>;
  user_id: number;
  /** "password_reset", "email_confirmation" or "email_change" (app/account/tokens.server.ts). */
  purpose: string;
  /** SHA-256 of the token; the token itself exists only in the email's link. */
  token_hash: string;
  /** The address the link was sent to (for an email change: the new address). */
  email: string;
  /** For a password reset: SHA-256 of the password hash at issue, so any password change voids the link. */
  password_fingerprint: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** Set when a newer link of the same purpose is issued, or the account changes under it. */
  revoked_at: number | null;
}

export type AccountToken = Selectable<AccountTokensTable>;

export interface TwoFactorTable {
  user_id: number;
  /** The TOTP secret, AES-256-GCM encrypted (app/auth/secret-box.server.ts); never stored in clear. */
  secret_encrypted: string;
  /** When the first correct code was entered; null while setup is pending (two-factor is off). */
  confirmed_at: number | null;
  /** The last accepted TOTP time step: a code for this step or an earlier one is a replay. */
  last_time_step: number | null;
  created_at: number;
}

export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  /** HMAC-SHA256 of the normalised code under the user's recovery-code key (recovery_code_keys); the code itself is shown once. */
  code_hash: string;
  created_at: number;
}

/** A user's recovery-code key (random, 32 bytes), AES-256-GCM encrypted under ENCRYPTION_KEY. */
export interface RecoveryCodeKeysTable {
  user_id: number;
  key_encrypted: string;
  created_at: number;
}

/** A login between the password and the second factor (app/auth/two-factor-login.server.ts). */
export interface PendingLoginsTable {
  /** SHA-256 of the random id in the `__session_2fa` cookie. */
  id_hash: string;
  user_id: number;
  /** SHA-256 of the password hash the password was checked against: a password change voids the pending login. */
  password_fingerprint: string;
  remember: number;
  /** Where to go after the code (checked again by safeRedirect when used). */
  redirect_to: string | null;
  /** The first factor (`password`, `oidc:<provider>`): the session's method is this plus `+code`. */
  method: Generated<string>;
  created_at: number;
  expires_at: number;
}

/** rate-limiter-flexible's SQLite store (app/auth/rate-limit.server.ts); keys are hashed. */
export interface RateLimitsTable {
  key: string;
  points: number;
  /** Milliseconds since the epoch; null = never expires. */
  expire: number | null;
}

export type TwoFactorRow = Selectable<TwoFactorTable>;

export interface RolesTable {
  id: Generated<number>;
  /** `admin`, `user`, ...: what guards and forms name. */
  name: string;
  description: Generated<string>;
}

export interface PermissionsTable {
  id: Generated<number>;
  /** `resource:action`, e.g. `users:read` (see app/auth/permissions.ts). */
  name: string;
  description: Generated<string>;
}

export interface RolePermissionsTable {
  role_id: number;
  permission_id: number;
}

export interface UserRolesTable {
  user_id: number;
  role_id: number;
}

/** FTS5 trigram index over users.name and users.email (rowid = users.id), kept in step by triggers. */
export interface UsersSearchTable {
  rowid: number;
  name: string;
  email: string;
  /** The table-named column that `MATCH` is applied to. */
  users_search: string;
}

/** PostgreSQL only: the number of rows in `users`, one row kept by triggers (db/migrations/0003). */
export interface UsersCountTable {
  n: number;
}

export type Role = Selectable<RolesTable>;

/** A personal API token (app/api/api-tokens.server.ts): `rak_<lookup_id>_<secret>`, the secret stored only as its SHA-256. */
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** The token's public part: finds the row without revealing anything about the secret. */
  lookup_id: string;
  /** SHA-256 (hex) of the secret part; the token itself is shown once and never stored. */
  secret_hash: string;
  /** Space-separated API scopes (app/api/scopes.ts). */
  scopes: string;
  created_at: number;
  /** Null: never expires. */
  expires_at: number | null;
  /** Written at most once a minute (or when the address changes), not on every request. */
  last_used_at: number | null;
  last_used_ip: string | null;
  revoked_at: number | null;
  /** When a refused use of this token was last logged (refusals are logged at most every few minutes). */
  refusal_logged_at: number | null;
}

/** The addresses a token has been used from, to notice (and log) a new one. */
export interface ApiTokenAddressesTable {
  token_id: number;
  ip: string;
  first_used_at: number;
}

export type ApiTokenRow = Selectable<ApiTokensTable>;

/** A provider account linked to a user (app/auth/oidc/identities.server.ts): (issuer, subject) is unique. */
export interface UserIdentitiesTable {
  id: Generated<number>;
  user_id: number;
  /** The provider's id (OIDC_<ID>_*, lower-case). */
  provider: string;
  issuer: string;
  /** The provider's stable id for the account (`sub`). */
  subject: string;
  /** The email the provider gave when linked (shown only; never used to match). */
  email: string | null;
  created_at: number;
  last_used_at: number | null;
}

/**
 * A provider round trip in progress, or a verified identity waiting for its
 * account to confirm the link (app/auth/oidc/flow.server.ts). Single use.
 */
export interface OidcFlowsTable {
  /** SHA-256 of the random id in the `__session_oidc` cookie. */
  id_hash: string;
  provider: string;
  /** `sign_in`, `link`, `reauthenticate` (a round trip) or `confirm_link` (an identity waiting for a password). */
  purpose: string;
  state: Generated<string>;
  nonce: Generated<string>;
  code_verifier: Generated<string>;
  redirect_to: string | null;
  /** link, reauthenticate: the signed-in user; confirm_link: the account whose email matched. */
  user_id: number | null;
  issuer: string | null;
  subject: string | null;
  email: string | null;
  created_at: number;
  expires_at: number;
}

export type UserIdentityRow = Selectable<UserIdentitiesTable>;

/** A passkey (WebAuthn credential, app/auth/passkeys.server.ts): what verifying its signatures needs. */
export interface PasskeysTable {
  id: Generated<number>;
  user_id: number;
  /** The user's name for it ("MacBook Touch ID"). */
  name: string;
  /** The credential id, base64url; unique across users. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** The authenticator's signature counter; 0 for authenticators that do not count (most synced passkeys). */
  counter: number;
  /** JSON array of transports the authenticator reported ("internal", "hybrid", "usb", ...). */
  transports: string;
  /** "singleDevice" or "multiDevice" (a synced passkey). */
  device_type: string;
  /** 1 when the passkey is backed up (synced) by its provider. */
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

/** A pending WebAuthn ceremony: single use, expiring; the challenge itself is stored only as its SHA-256. */
export interface PasskeyChallengesTable {
  challenge_hash: string;
  /** "register", "login" or "reauthenticate". */
  purpose: string;
  /** Whose ceremony it is; null for a login (the passkey names its user). */
  user_id: number | null;
  created_at: number;
  expires_at: number;
}

export type PasskeyRow = Selectable<PasskeysTable>;
