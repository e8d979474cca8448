import { describe, expect, it } from "vitest";
import { keepOneWayIn, LastSignInMethodError } from "~/auth/ways-in.server";
import { db } from "~/db.server";
import { makeUser } from "../helpers/users";

/** A user with the given ways in: a password or none, so many linked providers, so many passkeys. */
async function userWith({ password, identities, passkeys }: { password: boolean; identities: number; passkeys: number }) {
  const user = await makeUser();
  if (!password) await db.updateTable("users").set({ password_hash: "" }).where("id", "=", user.id).execute();
  const now = Date.now();
  const identityIds: number[] = [];
  for (let i = 0; i < identities; i++) {
    const row = await db
      .insertInto("user_identities")
      .values({ user_id: user.id, provider: "test", issuer: "https://idp.test", subject: `sub-${user.id}-${i}`, email: null, created_at: now, last_used_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    identityIds.push(row.id);
  }
  const passkeyIds: number[] = [];
  for (let i = 0; i < passkeys; i++) {
    const row = await db
      .insertInto("passkeys")
      .values({ user_id: user.id, name: `Key ${i}`, credential_id: `cred-${user.id}-${i}`, public_key: "pk", counter: 0, transports: "[]", device_type: "multiDevice", backed_up: 1, created_at: now, last_used_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    passkeyIds.push(row.id);
  }
  return { id: user.id, identityIds, passkeyIds };
}

const refused = expect.any(LastSignInMethodError);

describe("keepOneWayIn", () => {
  it("lets anything go while the password remains", async () => {
    const user = await userWith({ password: true, identities: 1, passkeys: 1 });
    await expect(keepOneWayIn(db, user.id, { identityId: user.identityIds[0]! })).resolves.toBeUndefined();
    await expect(keepOneWayIn(db, user.id, { passkeyId: null })).resolves.toBeUndefined();
  });

  it("without a password: one of two passkeys may go, not both; the last passkey may go while a provider is linked", async () => {
    const keys = await userWith({ password: false, identities: 0, passkeys: 2 });
    await expect(keepOneWayIn(db, keys.id, { passkeyId: keys.passkeyIds[0]! })).resolves.toBeUndefined();
    await expect(keepOneWayIn(db, keys.id, { passkeyId: null })).rejects.toEqual(refused);
    const linked = await userWith({ password: false, identities: 1, passkeys: 1 });
    await expect(keepOneWayIn(db, linked.id, { passkeyId: linked.passkeyIds[0]! })).resolves.toBeUndefined();
    await expect(keepOneWayIn(db, linked.id, { passkeyId: null })).resolves.toBeUndefined();
  });

  it("without a password: a provider may go while another provider or a passkey remains, not the last one", async () => {
    const two = await userWith({ password: false, identities: 2, passkeys: 0 });
    await expect(keepOneWayIn(db, two.id, { identityId: two.identityIds[0]! })).resolves.toBeUndefined();
    const withKey = await userWith({ password: false, identities: 1, passkeys: 1 });
    await expect(keepOneWayIn(db, withKey.id, { identityId: withKey.identityIds[0]! })).resolves.toBeUndefined();
    const alone = await userWith({ password: false, identities: 1, passkeys: 0 });
    await expect(keepOneWayIn(db, alone.id, { identityId: alone.identityIds[0]! })).rejects.toEqual(refused);
    const lastKey = await userWith({ password: false, identities: 0, passkeys: 1 });
    await expect(keepOneWayIn(db, lastKey.id, { passkeyId: lastKey.passkeyIds[0]! })).rejects.toEqual(refused);
  });
});
