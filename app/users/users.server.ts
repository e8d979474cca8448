import { db, type User } from "~/db.server";
import { hashPassword } from "~/auth/password.server";

/** The fields of a user that may leave the server (never the password hash). */
export type PublicUser = Pick<User, "id" | "email" | "name" | "active" | "created_at">;

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
  constructor() {
    super("An account with this email already exists.");
  }
}

export function findUserByEmail(email: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email.trim().toLowerCase()).executeTakeFirst();
}

export function findUserById(id: number): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "SQLITE_CONSTRAINT_UNIQUE" || e?.code === "23505" || /UNIQUE constraint failed/.test(e?.message ?? "");
}

/** Creates a user (email normalised, password hashed). Throws EmailTakenError on a duplicate. */
export async function createUser(
  input: { email: string; name: string; password?: string; passwordHash?: string },
  now = Date.now(),
): Promise<User> {
  const passwordHash = input.passwordHash ?? (await hashPassword(input.password ?? ""));
  try {
    return await db
      .insertInto("users")
      .values({
        email: input.email.trim().toLowerCase(),
        name: input.name.trim(),
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw new EmailTakenError();
    throw error;
  }
}

export async function updatePasswordHash(userId: number, passwordHash: string, now = Date.now()): Promise<void> {
  await db.updateTable("users").set({ password_hash: passwordHash, updated_at: now }).where("id", "=", userId).execute();
}

/** Activates or deactivates a user; deactivation ends every session of theirs at once. */
export async function setUserActive(userId: number, active: boolean, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable("users")
      .set({ active: active ? 1 : 0, updated_at: now })
      .where("id", "=", userId)
      .executeTakeFirst();
    if (!active) await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    return Number(result.numUpdatedRows) > 0;
  });
}

/** Deletes a user; their sessions and notes go with them (ON DELETE CASCADE). */
export async function deleteUser(userId: number): Promise<boolean> {
  const result = await db.deleteFrom("users").where("id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export function listUsers(): Promise<PublicUser[]> {
  return db.selectFrom("users").select(["id", "email", "name", "active", "created_at"]).orderBy("id").execute();
}
