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
  roles: RolesTable;
  permissions: PermissionsTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
  users_search: UsersSearchTable;
}

export interface UsersTable {
  id: Generated<number>;
  /** Always stored trimmed and lower-cased; unique. */
  email: string;
  name: string;
  password_hash: string;
  active: Generated<number>;
  created_at: number;
  updated_at: number;
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

export type Role = Selectable<RolesTable>;
