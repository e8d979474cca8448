import type { ActivityOrigin } from "~/activity/activity.server";
import { ADMIN_ROLE, DEFAULT_ROLE } from "~/auth/permissions";
import { removePasskeys } from "~/auth/passkeys.server";
import { disableTwoFactor } from "~/auth/two-factor.server";
import { hashPassword } from "~/auth/password.server";
import { rebindAccountLinks, revokeAccountLinks } from "~/account/tokens.server";
import { revokeApiTokensOfUser } from "~/api/api-tokens.server";
import { type DB, db, type User, type UserUpdate } from "~/db.server";
import { announce } from "~/events/events.server";
import { countActiveAdmins, findAccess, permissionsOfRoles, replaceUserRoles } from "./roles.server";

/** The fields of a user that may leave the server (never the password hash). */
export type PublicUser = Pick<User, "id" | "email" | "name" | "active" | "created_at"> & { language?: string | null };

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
  constructor() {
    super("An account with this email already exists.");
  }
}

/** The user changed after the form was shown (another admin, or the user): saving it would undo that change. */
export class StaleEditError extends Error {
  override name = "StaleEditError";
  constructor() {
    super("Someone changed this user while you were editing.");
  }
}

/** The change would leave no active admin: nobody could manage users any more. */
export class LastAdminError extends Error {
  override name = "LastAdminError";
  constructor() {
    super("This is the last active admin. Make another user an admin first.");
  }
}

/**
 * A signed-in actor tried to hand out, or to act on, permissions they do not
 * hold themselves: a `users:write` holder must not be able to make anyone (or
 * themselves) an admin, nor take over an account that outranks them.
 */
export class PermissionEscalationError extends Error {
  override name = "PermissionEscalationError";
  constructor(
    message: string,
    /** The message as a catalog key and its values, for the page's language. */
    readonly key: "admin.cannotGrant" | "admin.cannotManage",
    readonly params: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Refuses roles whose permissions the actor lacks (the command line, actorId null, may grant anything). */
async function assertMayGrant(trx: DB, actorId: number | null, roles: string[]): Promise<void> {
  if (actorId === null || roles.length === 0) return;
  const held = (await findAccess(actorId, trx)).permissions;
  const missing = (await permissionsOfRoles(trx, roles)).filter((permission) => !held.includes(permission));
  if (missing.length) {
    throw new PermissionEscalationError(
      `You cannot grant a role with permissions you do not hold (${missing.join(", ")}).`,
      "admin.cannotGrant",
      { permissions: missing.join(", ") },
    );
  }
}

/** Refuses changes to an account that holds permissions the actor lacks (the actor's own account and the CLI excepted). */
async function assertMayManage(trx: DB, actorId: number | null, userId: number): Promise<void> {
  if (actorId === null || actorId === userId) return;
  const held = (await findAccess(actorId, trx)).permissions;
  if ((await findAccess(userId, trx)).permissions.some((permission) => !held.includes(permission))) {
    throw new PermissionEscalationError(
      "This account holds permissions you do not have; only someone who has them can change it.",
      "admin.cannotManage",
    );
  }
}

/** assertMayManage on its own, before a change that runs outside updateUser's or deleteUser's transaction. */
export async function requireMayManage(actor: Actor, userId: number): Promise<void> {
  await db.transaction().execute((trx) => assertMayManage(trx, actor.userId, userId));
}

/**
 * Who makes a change, for the activity log: a signed-in admin (their id and
 * request origin) or the command line (userId null).
 */
export type Actor = { userId: number | null; origin: ActivityOrigin };

export async function findUserByEmail(email: string): Promise<User | undefined> {
  // No stored address holds a NUL (the email rules refuse it), and PostgreSQL refuses it in a query: nobody.
  if (email.includes("\u0000")) return undefined;
  return db.selectFrom("users").selectAll().where("email", "=", email.trim().toLowerCase()).executeTakeFirst();
}

export function findUserById(id: number): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "SQLITE_CONSTRAINT_UNIQUE" || e?.code === "23505" || /UNIQUE constraint failed/.test(e?.message ?? "");
}

/**
 * Creates a user (email normalised, password hashed) with `roles` (default:
 * the `user` role). Throws EmailTakenError on a duplicate, UnknownRoleError
 * for a role that does not exist. With an actor, records `user_created`.
 */
export async function createUser(
  input: { email: string; name: string; password?: string; passwordHash?: string; roles?: string[]; active?: boolean },
  now = Date.now(),
  actor?: Actor,
): Promise<User> {
  const passwordHash = input.passwordHash ?? (await hashPassword(input.password ?? ""));
  const roles = input.roles ?? [DEFAULT_ROLE];
  const user = await db.transaction().execute(async (trx) => {
    let created: User;
    try {
      created = await trx
        .insertInto("users")
        .values({
          email: input.email.trim().toLowerCase(),
          name: input.name.trim(),
          password_hash: passwordHash,
          active: input.active === false ? 0 : 1,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
    await assertMayGrant(trx, actor?.userId ?? null, roles);
    await replaceUserRoles(trx, created.id, roles);
    return created;
  });
  if (actor) {
    await announce(
      { type: "user_created", actorId: actor.userId, subjectId: user.id, details: { roles: roles.join(","), active: user.active === 1 } },
      actor.origin,
      { now },
    );
  }
  return user;
}

export async function updatePasswordHash(userId: number, passwordHash: string, now = Date.now()): Promise<void> {
  await db.updateTable("users").set({ password_hash: passwordHash, updated_at: now }).where("id", "=", userId).execute();
}

/**
 * Stores a stronger hash of the same password (a BCRYPT_COST upgrade at login).
 * The password has not changed, so the user's live links stay good: they move
 * to the new hash's fingerprint. Nothing happens if the hash changed meanwhile.
 */
export async function upgradePasswordHash(userId: number, fromHash: string, toHash: string, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("users")
      .set({ password_hash: toHash, updated_at: now })
      .where("id", "=", userId)
      .where("password_hash", "=", fromHash)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) await rebindAccountLinks(trx, userId, fromHash, toHash);
  });
}

export type UserChanges = {
  name?: string;
  email?: string;
  roles?: string[];
  active?: boolean;
  /** The user's updated_at when the change was prepared: a user changed since is refused (StaleEditError). */
  expectedUpdatedAt?: number;
};

/** What an update actually changed (fields left as they were are not listed). */
export type UserChangeResult = {
  user: User;
  fields: ("name" | "email")[];
  roles?: { from: string[]; to: string[] };
  active?: { from: boolean; to: boolean };
  sessionsEnded: number;
  /** API tokens revoked by a deactivation. */
  tokensRevoked: number;
};

/**
 * Changes a user's name, email, roles (replacing them) and/or active flag, in
 * one transaction, with the rules that hold however the change is made (admin
 * area or CLI):
 * - the last active admin cannot lose the admin role or be deactivated (LastAdminError);
 * - deactivation ends every session of the user at once and revokes their API tokens;
 * - a duplicate email is an EmailTakenError; an unknown role an UnknownRoleError;
 * - a signed-in actor can neither grant permissions they lack nor change an
 *   account that holds some (PermissionEscalationError), and changes their own
 *   address only through the confirmation flow (requestEmailChange).
 * A role change needs no new login: the guards read roles at every request.
 * Returns null when there is no such user. With an actor, records what changed.
 */
export async function updateUser(
  userId: number,
  changes: UserChanges,
  now = Date.now(),
  actor?: Actor,
): Promise<UserChangeResult | null> {
  const result = await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
    if (!before) return null;
    if (changes.expectedUpdatedAt !== undefined && Number(before.updated_at) !== changes.expectedUpdatedAt) throw new StaleEditError();
    const rolesBefore = (await findAccess(userId, trx)).roles;
    await assertMayManage(trx, actor?.userId ?? null, userId);

    const set: UserUpdate = {};
    const fields: UserChangeResult["fields"] = [];
    if (changes.name !== undefined && changes.name.trim() !== before.name) {
      set.name = changes.name.trim();
      fields.push("name");
    }
    if (changes.email !== undefined && changes.email.trim().toLowerCase() !== before.email) {
      // A signed-in user's own address changes only once the new one is confirmed.
      if (actor?.userId === userId) throw new Error("An own email change goes through requestEmailChange.");
      set.email = changes.email.trim().toLowerCase();
      // Nobody has shown they read the new mailbox yet (decision 008: a reset from it then takes the whole account).
      set.email_confirmed_at = null;
      fields.push("email");
    }
    const active = changes.active === undefined || changes.active === (before.active === 1) ? undefined : changes.active;
    if (active !== undefined) set.active = active ? 1 : 0;
    const rolesAfter = changes.roles && [...new Set(changes.roles)].sort();
    const rolesChanged = rolesAfter !== undefined && rolesAfter.join(",") !== rolesBefore.join(",");

    if (Object.keys(set).length > 0 || rolesChanged) {
      try {
        await trx.updateTable("users").set({ ...set, updated_at: now }).where("id", "=", userId).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new EmailTakenError();
        throw error;
      }
    }
    if (rolesChanged) {
      await assertMayGrant(trx, actor?.userId ?? null, rolesAfter.filter((role) => !rolesBefore.includes(role)));
      await replaceUserRoles(trx, userId, rolesAfter);
    }
    // Write first, then check: the write lock is held from the first write, so
    // two admins demoting each other at once cannot both succeed.
    const wasActiveAdmin = before.active === 1 && rolesBefore.includes(ADMIN_ROLE);
    if (wasActiveAdmin && (active === false || rolesChanged) && (await countActiveAdmins(trx)) === 0) {
      throw new LastAdminError();
    }
    // Links sent to (or about) the old address must not keep working once an admin moves the account, nor
    // links of a deactivated one once it is active again (a pending email change someone else asked for).
    if (set.email !== undefined || active === false) await revokeAccountLinks(trx, userId, now);
    let sessionsEnded = 0;
    let tokensRevoked = 0;
    if (active === false) {
      const deleted = await trx.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
      sessionsEnded = Number(deleted.numDeletedRows);
      // Revoked, not just refused while inactive: reactivating the account does not bring them back.
      tokensRevoked = await revokeApiTokensOfUser(trx, userId, now);
    }
    const user = await trx.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    return {
      user,
      fields,
      ...(rolesChanged ? { roles: { from: rolesBefore, to: rolesAfter } } : {}),
      ...(active !== undefined ? { active: { from: !active, to: active } } : {}),
      sessionsEnded,
      tokensRevoked,
    } satisfies UserChangeResult;
  });
  if (result && actor) await recordUserChanges(result, actor, now);
  return result;
}

async function recordUserChanges(result: UserChangeResult, actor: Actor, now: number): Promise<void> {
  const event = { actorId: actor.userId, subjectId: result.user.id };
  if (result.fields.length) {
    await announce({ ...event, type: "user_updated", details: { fields: result.fields.join(",") } }, actor.origin, { now });
  }
  if (result.roles) {
    const details = { from: result.roles.from.join(","), to: result.roles.to.join(",") };
    await announce({ ...event, type: "role_changed", details }, actor.origin, { now });
  }
  if (result.active) {
    const type = result.active.to ? "user_activated" : "user_deactivated";
    const details: Record<string, number> = result.active.to ? {} : { sessionsEnded: result.sessionsEnded, tokensRevoked: result.tokensRevoked };
    await announce({ ...event, type, details }, actor.origin, { now });
  }
}

/**
 * Turns a user's two-factor off for them (a lost phone): the secret, recovery
 * codes and their key are deleted, the change is logged with the admin (or the
 * command line) as actor, and the user is told by mail. Someone who lacks a
 * permission the user holds cannot do it (PermissionEscalationError). False
 * when there is no such user or two-factor was off.
 */
export async function resetTwoFactor(userId: number, actor: Actor, now = Date.now(), language: string | null = null): Promise<boolean> {
  await requireMayManage(actor, userId);
  if (!(await disableTwoFactor(userId))) return false;
  // The notice goes in the user's saved language, else the one of the admin's request.
  await announce({ type: "two_factor_reset", actorId: actor.userId, subjectId: userId }, actor.origin, { now, language });
  return true;
}

/**
 * Removes all of a user's passkeys (a lost or stolen device), logged with the
 * admin (or the command line) as actor; the same escalation rule as above.
 * Returns how many were removed.
 */
export async function removeAllPasskeys(userId: number, actor: Actor): Promise<number> {
  await requireMayManage(actor, userId);
  return (await removePasskeys(userId, null, { actorId: actor.userId, origin: actor.origin })).length;
}

/** Activates or deactivates a user (see updateUser: deactivation ends their sessions; not the last admin). */
export async function setUserActive(userId: number, active: boolean, now = Date.now(), actor?: Actor): Promise<boolean> {
  return (await updateUser(userId, { active }, now, actor)) !== null;
}

/**
 * Deletes a user; their sessions, API tokens, roles and notes go with them (ON DELETE
 * CASCADE). The last active admin cannot be deleted (LastAdminError). With an
 * actor, records `user_deleted`: the subject is gone, so the details keep its
 * former id, and nothing personal (no email or name outlives the account).
 */
export async function deleteUser(userId: number, actor?: Actor): Promise<boolean> {
  const deleted = await db.transaction().execute(async (trx) => {
    await assertMayManage(trx, actor?.userId ?? null, userId);
    return deleteUserWithin(trx, userId);
  });
  if (deleted && actor) {
    await announce(
      { type: "user_deleted", actorId: actor.userId, subjectId: null, details: { userId: deleted.id } },
      actor.origin,
    );
  }
  return deleted !== null;
}

/**
 * Deletes a user inside the caller's transaction, refusing (LastAdminError,
 * which rolls the transaction back) to remove the last active admin. Every
 * way of deleting an account (admin area, CLI, the user's own settings) goes
 * through here.
 */
export async function deleteUserWithin(trx: DB, userId: number): Promise<{ id: number; email: string } | null> {
  const user = await trx.selectFrom("users").select(["id", "email", "active"]).where("id", "=", userId).executeTakeFirst();
  if (!user) return null;
  const { roles } = await findAccess(userId, trx);
  await trx.deleteFrom("users").where("id", "=", userId).execute();
  if (user.active === 1 && roles.includes(ADMIN_ROLE) && (await countActiveAdmins(trx)) === 0) {
    throw new LastAdminError();
  }
  return user;
}

/** Every user with their roles, by id (the CLI's `list`). */
export async function listUsers(): Promise<(PublicUser & { roles: string[] })[]> {
  const [users, links] = await Promise.all([
    db.selectFrom("users").select(["id", "email", "name", "active", "created_at"]).orderBy("id").execute(),
    db
      .selectFrom("user_roles")
      .innerJoin("roles", "roles.id", "user_roles.role_id")
      .select(["user_roles.user_id", "roles.name"])
      .orderBy("roles.name")
      .execute(),
  ]);
  const roles = new Map<number, string[]>();
  for (const link of links) {
    const list = roles.get(link.user_id) ?? [];
    list.push(link.name);
    roles.set(link.user_id, list);
  }
  return users.map((user) => ({ ...user, roles: roles.get(user.id) ?? [] }));
}

/** Saves the language chosen with the layout's switch (app/routes/language.ts). */
export async function saveUserLanguage(userId: number, language: string): Promise<void> {
  await db.updateTable("users").set({ language }).where("id", "=", userId).execute();
}
