import { ADMIN_ROLE, type Access } from "~/auth/permissions";
import { type RawBuilder, sql } from "kysely";
import { databaseDialect, db, type DB, type Role } from "~/db.server";

/** A database handle or an open transaction: the role rules run inside the caller's transaction. */
type Executor = DB;

export class UnknownRoleError extends Error {
  override name = "UnknownRoleError";
  constructor(readonly role: string) {
    super(`Unknown role "${role}".`);
  }
}

/**
 * The names of the roles of the user whose id is in column `userId` (e.g.
 * "users.id"), as one value for a row: a JSON array on SQLite, a text[] on
 * PostgreSQL; read it with `parseNames`. Unsorted: sorting in JavaScript is
 * cheaper than a sort per row in SQL.
 */
export function roleNamesOf(userId: string): RawBuilder<string | string[]> {
  const from = sql`from user_roles inner join roles on roles.id = user_roles.role_id where user_roles.user_id = ${sql.ref(userId)}`;
  return databaseDialect() === "postgres" ? sql`array(select roles.name ${from})` : sql`(select json_group_array(roles.name) ${from})`;
}

/** The names of the permissions that the roles of the user in column `userId` grant, once each, as one value (see roleNamesOf). */
export function permissionNamesOf(userId: string): RawBuilder<string | string[]> {
  const from = sql`from user_roles inner join role_permissions on role_permissions.role_id = user_roles.role_id
    inner join permissions on permissions.id = role_permissions.permission_id where user_roles.user_id = ${sql.ref(userId)}`;
  return databaseDialect() === "postgres"
    ? sql`array(select distinct permissions.name ${from})`
    : sql`(select json_group_array(distinct permissions.name) ${from})`;
}

/** A list of names from roleNamesOf or permissionNamesOf, sorted. */
export function parseNames(list: string | string[]): string[] {
  return (typeof list === "string" ? (JSON.parse(list) as string[]) : list).sort();
}

/** A user's roles and permissions, in one query (the guards run it once per request); none for an unknown user. */
export async function findAccess(userId: number, executor: Executor = db): Promise<Access> {
  const row = await executor
    .selectFrom("users")
    .select([roleNamesOf("users.id").as("roles"), permissionNamesOf("users.id").as("permissions")])
    .where("users.id", "=", userId)
    .executeTakeFirst();
  return row ? { roles: parseNames(row.roles), permissions: parseNames(row.permissions) } : { roles: [], permissions: [] };
}

/** The permissions that `roles` (names) grant together. */
export async function permissionsOfRoles(executor: Executor, roles: string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const rows = await executor
    .selectFrom("roles")
    .innerJoin("role_permissions", "role_permissions.role_id", "roles.id")
    .innerJoin("permissions", "permissions.id", "role_permissions.permission_id")
    .select("permissions.name")
    .distinct()
    .where("roles.name", "in", roles)
    .execute();
  return rows.map((row) => row.name).sort();
}

export function listRoles(): Promise<Role[]> {
  return db.selectFrom("roles").selectAll().orderBy("name").execute();
}

/** Replaces a user's roles with `roles` (names). Throws UnknownRoleError for a name that is not a role. */
export async function replaceUserRoles(executor: Executor, userId: number, roles: string[]): Promise<void> {
  const wanted = [...new Set(roles)];
  const found = wanted.length
    ? await executor.selectFrom("roles").select(["id", "name"]).where("name", "in", wanted).execute()
    : [];
  const missing = wanted.find((name) => !found.some((role) => role.name === name));
  if (missing !== undefined) throw new UnknownRoleError(missing);
  await executor.deleteFrom("user_roles").where("user_id", "=", userId).execute();
  if (found.length) {
    await executor
      .insertInto("user_roles")
      .values(found.map((role) => ({ user_id: userId, role_id: role.id })))
      .execute();
  }
}

/** How many active users hold the admin role. */
export async function countActiveAdmins(executor: Executor = db): Promise<number> {
  const row = await executor
    .selectFrom("user_roles")
    .innerJoin("roles", "roles.id", "user_roles.role_id")
    .innerJoin("users", "users.id", "user_roles.user_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("roles.name", "=", ADMIN_ROLE)
    .where("users.active", "=", 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
