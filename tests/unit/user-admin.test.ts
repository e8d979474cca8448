import { beforeEach, describe, expect, it } from "vitest";
import { createSession, findActiveSession } from "~/auth/sessions.server";
import { db } from "~/db.server";
import { countActiveAdmins, findAccess, UnknownRoleError } from "~/users/roles.server";
import {
  type Actor,
  createUser,
  deleteUser,
  EmailTakenError,
  findUserById,
  LastAdminError,
  setUserActive,
  updateUser,
} from "~/users/users.server";
import { makeUser, uniqueEmail } from "../helpers/users";

const client = { userAgent: "vitest", ip: "127.0.0.1" };

/** The last-admin rule counts every admin in the database: start each test with none. */
beforeEach(async () => {
  await db
    .deleteFrom("user_roles")
    .where("role_id", "=", db.selectFrom("roles").select("id").where("name", "=", "admin"))
    .execute();
});

async function activityOf(subjectId: number | null, type: string) {
  let query = db.selectFrom("activity").selectAll().where("type", "=", type).orderBy("id", "desc");
  query = subjectId === null ? query.where("subject_id", "is", null) : query.where("subject_id", "=", subjectId);
  return query.executeTakeFirst();
}

describe("createUser", () => {
  it("gives the user role by default, the roles asked for otherwise, and can create an inactive account", async () => {
    const plain = await makeUser();
    expect((await findAccess(plain.id)).roles).toEqual(["user"]);
    const admin = await makeUser({ roles: ["admin"], active: false });
    expect((await findAccess(admin.id)).roles).toEqual(["admin"]);
    expect(admin.active).toBe(0);
  });

  it("refuses an unknown role and leaves no half-created user behind", async () => {
    const email = uniqueEmail();
    await expect(makeUser({ email, roles: ["wizard"] })).rejects.toBeInstanceOf(UnknownRoleError);
    expect(await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
  });

  it("refuses a duplicate email with EmailTakenError, whatever its case", async () => {
    const user = await makeUser();
    await expect(makeUser({ email: user.email.toUpperCase() })).rejects.toBeInstanceOf(EmailTakenError);
  });

  it("records user_created with the actor when one is given", async () => {
    const admin = await makeUser({ roles: ["admin"] });
    const actor: Actor = { userId: admin.id, origin: client };
    const user = await createUser({ email: uniqueEmail(), name: "Made by admin", password: "long enough pw", roles: ["admin"] }, Date.now(), actor);
    expect(await activityOf(user.id, "user_created")).toMatchObject({
      actor_id: admin.id,
      ip: "127.0.0.1",
      details: JSON.stringify({ roles: "admin", active: true }),
    });
  });
});

describe("updateUser", () => {
  it("changes name, email, roles and active, and reports only what changed", async () => {
    await makeUser({ roles: ["admin"] });
    const user = await makeUser({ name: "Before" });
    const email = uniqueEmail("after");
    const result = await updateUser(user.id, { name: "  After ", email: email.toUpperCase(), roles: ["admin"], active: true });
    expect(result).toMatchObject({ fields: ["name", "email"], roles: { from: ["user"], to: ["admin"] }, sessionsEnded: 0 });
    expect(result?.active).toBeUndefined();
    expect(result?.user).toMatchObject({ name: "After", email });

    const again = await updateUser(user.id, { name: "After", email, roles: ["admin"], active: true });
    expect(again).toMatchObject({ fields: [] });
    expect(again?.roles).toBeUndefined();
  });

  it("returns null for a user that does not exist", async () => {
    expect(await updateUser(999_999_999, { name: "Nobody" })).toBeNull();
  });

  it("refuses an email another account has, and changes nothing", async () => {
    const taken = await makeUser();
    const user = await makeUser({ name: "Keeps Name" });
    await expect(updateUser(user.id, { name: "New Name", email: taken.email })).rejects.toBeInstanceOf(EmailTakenError);
    expect((await findUserById(user.id))?.name).toBe("Keeps Name");
  });

  it("ends every session of a user it deactivates, at once", async () => {
    const user = await makeUser();
    const a = await createSession(user.id, { remember: false, client });
    const b = await createSession(user.id, { remember: true, client });
    const result = await updateUser(user.id, { active: false });
    expect(result).toMatchObject({ active: { from: true, to: false }, sessionsEnded: 2 });
    expect(await findActiveSession(a.id)).toBeNull();
    expect(await findActiveSession(b.id)).toBeNull();
    expect(await db.selectFrom("sessions").select("id_hash").where("user_id", "=", user.id).execute()).toEqual([]);
  });

  it("records user_updated, role_changed and user_deactivated with actor and subject", async () => {
    const admin = await makeUser({ roles: ["admin"] });
    const user = await makeUser();
    await updateUser(user.id, { name: "Renamed", roles: ["admin"], active: false }, Date.now(), { userId: admin.id, origin: client });
    expect(await activityOf(user.id, "user_updated")).toMatchObject({ actor_id: admin.id, details: '{"fields":"name"}' });
    expect(await activityOf(user.id, "role_changed")).toMatchObject({ actor_id: admin.id, details: '{"from":"user","to":"admin"}' });
    expect(await activityOf(user.id, "user_deactivated")).toMatchObject({ actor_id: admin.id });
    await updateUser(user.id, { active: true }, Date.now(), { userId: admin.id, origin: client });
    expect(await activityOf(user.id, "user_activated")).toMatchObject({ actor_id: admin.id });
  });
});

describe("the last active admin", () => {
  it("cannot be demoted, deactivated or deleted, not even by themselves", async () => {
    const admin = await makeUser({ roles: ["admin"] });
    await makeUser({ roles: ["admin"], active: false }); // an inactive admin does not count
    expect(await countActiveAdmins()).toBe(1);
    await expect(updateUser(admin.id, { roles: ["user"] })).rejects.toBeInstanceOf(LastAdminError);
    await expect(updateUser(admin.id, { active: false })).rejects.toBeInstanceOf(LastAdminError);
    await expect(setUserActive(admin.id, false)).rejects.toBeInstanceOf(LastAdminError);
    await expect(deleteUser(admin.id)).rejects.toBeInstanceOf(LastAdminError);
    // Nothing changed: the transaction was rolled back.
    expect(await findUserById(admin.id)).toMatchObject({ active: 1 });
    expect((await findAccess(admin.id)).roles).toEqual(["admin"]);
  });

  it("can be edited otherwise, and given more roles", async () => {
    const admin = await makeUser({ roles: ["admin"] });
    await expect(updateUser(admin.id, { name: "Still Admin", roles: ["admin", "user"] })).resolves.toMatchObject({
      roles: { from: ["admin"], to: ["admin", "user"] },
    });
  });

  it("can step down once another admin is active", async () => {
    const first = await makeUser({ roles: ["admin"] });
    const second = await makeUser({ roles: ["admin"] });
    await updateUser(first.id, { roles: ["user"] });
    await expect(deleteUser(second.id)).rejects.toBeInstanceOf(LastAdminError);
    await updateUser(first.id, { roles: ["admin"] });
    await expect(deleteUser(second.id)).resolves.toBe(true);
  });

  it("is not protected when there is no admin at all (a fresh install)", async () => {
    const user = await makeUser();
    await expect(deleteUser(user.id)).resolves.toBe(true);
  });
});

describe("deleteUser", () => {
  it("ends the user's sessions and records user_deleted with the former id and nothing personal", async () => {
    const admin = await makeUser({ roles: ["admin"] });
    const user = await makeUser();
    const { id } = await createSession(user.id, { remember: true, client });
    expect(await deleteUser(user.id, { userId: admin.id, origin: client })).toBe(true);
    expect(await findActiveSession(id)).toBeNull();
    expect(await findUserById(user.id)).toBeUndefined();
    const event = await db
      .selectFrom("activity")
      .selectAll()
      .where("type", "=", "user_deleted")
      .where("actor_id", "=", admin.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.details)).toEqual({ userId: user.id });
    expect(await deleteUser(user.id)).toBe(false);
  });
});
