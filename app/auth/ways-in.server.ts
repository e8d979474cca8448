import type { DB } from "~/db.server";
import { hasPassword } from "./password.server";

/**
 * An account's ways to sign in: its password, its linked providers, its
 * passkeys. What a user removes themselves must leave one of them (a password
 * reset by email could add a password, but only with the mailbox and a
 * detour); an administrator, the command line and a reset may remove any.
 */

export class LastSignInMethodError extends Error {
  override name = "LastSignInMethodError";
  constructor() {
    super("This is your only way to sign in. Set a password, add a passkey or link a provider before you remove it.");
  }
}

/** What is about to go: one linked provider, one passkey, or every passkey (`passkeyId: null`). */
export type Removal = { identityId: number } | { passkeyId: number | null };

/**
 * Throws LastSignInMethodError when, without `removal`, the user would have no
 * way in. Runs in the caller's transaction, so the reading and the removal are one step.
 */
export async function keepOneWayIn(within: DB, userId: number, removal: Removal): Promise<void> {
  const user = await within.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirst();
  if (!user || hasPassword(user)) return;
  let identities = within.selectFrom("user_identities").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", userId);
  if ("identityId" in removal) identities = identities.where("id", "!=", removal.identityId);
  if (Number((await identities.executeTakeFirstOrThrow()).n) > 0) return;
  if ("passkeyId" in removal && removal.passkeyId === null) throw new LastSignInMethodError();
  let passkeys = within.selectFrom("passkeys").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", userId);
  if ("passkeyId" in removal && removal.passkeyId !== null) passkeys = passkeys.where("id", "!=", removal.passkeyId);
  if (Number((await passkeys.executeTakeFirstOrThrow()).n) === 0) throw new LastSignInMethodError();
}
