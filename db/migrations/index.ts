import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { Dialect } from "../connection";
import * as m0001 from "./0001_users_and_sessions";
import * as m0002 from "./0002_activity_log";
import * as m0003 from "./0003_roles_and_permissions";
import * as m0004 from "./0004_account_tokens";
import * as m0005 from "./0005_session_security";
import * as m0006 from "./0006_two_factor";
import * as m0007 from "./0007_pending_logins";
import * as m0008 from "./0008_recovery_code_keys";
import * as m0009 from "./0009_api_tokens";
import * as m0010 from "./0010_sign_in_method";
import * as m0013 from "./0013_session_rotation_grace";
import * as m0014 from "./0014_passkeys";
import * as m0015 from "./0015_oidc_identities";
import * as m0016 from "./0016_postgres_user_list_indexes";
import * as m0017 from "./0017_user_language";

/** A migration file: `up` (and `down`) receive the dialect, and branch on it only where the SQL differs. */
export type DialectMigration = {
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
  down?(db: Kysely<any>, dialect: Dialect): Promise<void>;
};

/**
 * Every migration, in order, one list for SQLite and PostgreSQL. Listed
 * statically (not read from disk) so the bundled server and the CLI carry the
 * same set. Add new files here.
 */
export const migrationFiles: Record<string, DialectMigration> = {
  "0001_users_and_sessions": m0001,
  "0002_activity_log": m0002,
  "0003_roles_and_permissions": m0003,
  "0004_account_tokens": m0004,
  "0005_session_security": m0005,
  "0006_two_factor": m0006,
  "0007_pending_logins": m0007,
  "0008_recovery_code_keys": m0008,
  "0009_api_tokens": m0009,
  "0010_sign_in_method": m0010,
  "0013_session_rotation_grace": m0013,
  // 0014 and 0015 came after 0013 had shipped: a migration is always numbered after the last one released
  // (the migrator refuses to apply one below a migration a database already has).
  "0014_passkeys": m0014,
  "0015_oidc_identities": m0015,
  "0016_postgres_user_list_indexes": m0016,
  "0017_user_language": m0017,
};

/** The list as Kysely's Migrator takes it, for one dialect. */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(migrationFiles).map(([name, file]) => {
      const down = file.down;
      return [name, { up: (db) => file.up(db, dialect), ...(down ? { down: (db: Kysely<any>) => down(db, dialect) } : {}) }];
    }),
  );
}
