import { db, type UserIdentityRow } from "~/db.server";
import { announce } from "~/events/events.server";
import { type Actor, isUniqueViolation } from "~/users/users.server";
import { keepOneWayIn } from "../ways-in.server";
import type { ProviderIdentity } from "./flow.server";

/**
 * Provider accounts linked to users. A provider account (issuer + subject) is
 * linked to at most one user (unique index); linking never happens by email
 * alone (docs/decisions/015-oidc-account-linking.md).
 */

export class IdentityTakenError extends Error {
  override name = "IdentityTakenError";
  constructor() {
    super("This account is already linked to another user.");
  }
}


export function findIdentity(issuer: string, subject: string): Promise<UserIdentityRow | undefined> {
  return db.selectFrom("user_identities").selectAll().where("issuer", "=", issuer).where("subject", "=", subject).executeTakeFirst();
}

export function listIdentities(userId: number): Promise<UserIdentityRow[]> {
  return db.selectFrom("user_identities").selectAll().where("user_id", "=", userId).orderBy("created_at").orderBy("id").execute();
}

/** Links `identity` to `userId` (throws IdentityTakenError when another user holds it; linking it again to the same user is a no-op). */
export async function linkIdentity(
  userId: number,
  provider: string,
  identity: ProviderIdentity,
  actor: Actor,
  now = Date.now(),
): Promise<void> {
  try {
    await db
      .insertInto("user_identities")
      .values({
        user_id: userId,
        provider,
        issuer: identity.issuer,
        subject: identity.subject,
        email: identity.email,
        created_at: now,
        last_used_at: now,
      })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await findIdentity(identity.issuer, identity.subject);
    if (existing?.user_id === userId) return;
    throw new IdentityTakenError();
  }
  await announce(
    { type: "identity_linked", actorId: actor.userId, subjectId: userId, details: { provider } },
    actor.origin,
    { now },
  );
}

export async function touchIdentity(id: number, now = Date.now()): Promise<void> {
  await db.updateTable("user_identities").set({ last_used_at: now }).where("id", "=", id).execute();
}

/**
 * Removes a link. The user's own removal (`keepOneWayIn`) is refused when it
 * is their last way in (no password, no other link, no passkey): LastSignInMethodError.
 * An admin may remove any link. Returns false when there was no such link.
 */
export async function unlinkIdentity(
  userId: number,
  identityId: number,
  actor: Actor,
  { keepOneWayIn: oneWayIn }: { keepOneWayIn: boolean },
): Promise<boolean> {
  const removed = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("user_identities")
      .select(["id", "provider"])
      .where("id", "=", identityId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (!row) return null;
    if (oneWayIn) await keepOneWayIn(trx, userId, { identityId });
    await trx.deleteFrom("user_identities").where("id", "=", identityId).execute();
    return row;
  });
  if (!removed) return false;
  await announce(
    { type: "identity_unlinked", actorId: actor.userId, subjectId: userId, details: { provider: removed.provider } },
    actor.origin,
  );
  return true;
}
