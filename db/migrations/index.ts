import type { Migration } from "kysely/migration";
import * as m0001 from "./0001_users_and_sessions";
import * as m0002 from "./0002_activity_log";
import * as m0003 from "./0003_roles_and_permissions";

/**
 * Every migration, in order. Listed statically (not read from disk) so the
 * bundled server and the CLI carry the same set. Add new files here.
 */
export const migrations: Record<string, Migration> = {
  "0001_users_and_sessions": m0001,
  "0002_activity_log": m0002,
  "0003_roles_and_permissions": m0003,
};
