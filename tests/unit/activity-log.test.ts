import { describe, expect, it } from "vitest";
import { ACTIVITY_LABEL_KEYS, activityLabel, describeDetails } from "~/activity/activity-labels";
import { en } from "~/i18n/en";
import { i18nFor } from "~/i18n/i18n.server";
import { ACTIVITY_TYPES, recordActivity } from "~/activity/activity.server";
import { listActivity } from "~/activity/list-activity.server";
import { recordLoginFailed } from "~/auth/login-activity.server";
import { db } from "~/db.server";
import { makeUser, uniqueEmail } from "../helpers/users";

const origin = { ip: "192.0.2.1", userAgent: "vitest" };

describe("listActivity", () => {
  it("shows a user the events they did or that concern them, newest first, a page at a time", async () => {
    const alice = await makeUser();
    const admin = await makeUser();
    const other = await makeUser();
    for (let i = 0; i < 5; i++) await recordActivity({ type: "login_succeeded", actorId: alice.id, details: { n: i } }, origin);
    await recordActivity({ type: "role_changed", actorId: admin.id, subjectId: alice.id }, origin);
    await recordActivity({ type: "login_succeeded", actorId: other.id }, origin);

    const first = await listActivity({ userId: alice.id, pageSize: 4 });
    expect(first.hasNext).toBe(true);
    expect(first.entries.map((e) => e.type)).toEqual(["role_changed", "login_succeeded", "login_succeeded", "login_succeeded"]);
    expect(first.entries[0]).toMatchObject({ actorId: admin.id, actorEmail: admin.email, subjectId: alice.id, subjectEmail: alice.email });
    const second = await listActivity({ userId: alice.id, pageSize: 4, page: 2 });
    expect(second.hasNext).toBe(false);
    expect(second.entries.map((e) => e.details)).toEqual([{ n: 1 }, { n: 0 }]);
    expect([...first.entries, ...second.entries].every((e) => e.actorId !== other.id)).toBe(true);
  });

  it("filters by type and by user together", async () => {
    const bob = await makeUser();
    await recordActivity({ type: "logout", actorId: bob.id }, origin);
    await recordActivity({ type: "login_succeeded", actorId: bob.id }, origin);
    const { entries } = await listActivity({ userId: bob.id, type: "logout" });
    expect(entries.map((e) => [e.type, e.actorId])).toEqual([["logout", bob.id]]);
    const all = await listActivity({ type: "logout", pageSize: 1000 });
    expect(all.entries.every((e) => e.type === "logout")).toBe(true);
  });
});

describe("login activity", () => {
  it("records a failed login against a known account, without the typed email", async () => {
    const carol = await makeUser();
    await recordLoginFailed(carol.email.toUpperCase(), origin);
    const row = await db.selectFrom("activity").selectAll().where("subject_id", "=", carol.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ type: "login_failed", actor_id: null, subject_id: carol.id, details: "{}" });
  });

  it("records a failed login for an unknown email anonymously, and stores no email", async () => {
    const email = uniqueEmail("ghost");
    await recordLoginFailed(email, origin);
    const row = await db.selectFrom("activity").selectAll().orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ type: "login_failed", actor_id: null, subject_id: null, details: "{}" });
    expect(JSON.stringify(row)).not.toContain(email.split("@")[0]);
  });
});

describe("labels", () => {
  it("give every activity type a human label", () => {
    const { t } = i18nFor("en");
    for (const type of ACTIVITY_TYPES) expect(en[ACTIVITY_LABEL_KEYS[type]]).toMatch(/^[A-Z]/);
    expect(activityLabel("login_failed", t)).toBe("Failed sign-in attempt");
    expect(activityLabel("login_failed", i18nFor("es").t)).toBe("Intento fallido de inicio de sesión");
    expect(activityLabel("from_a_newer_version", t)).toBe("from_a_newer_version");
    expect(describeDetails({ count: 2, remember: true, all: false }, t)).toBe("sessions: 2, remember me: yes, all sessions: no");
    expect(describeDetails({ otherSessionsEnded: 0 }, t)).toBe("other sessions signed out: 0");
    expect(describeDetails({ remember: false, method: "password+code" }, t)).toBe("remember me: no, signed in with: Password and code");
    expect(describeDetails({ roles: "admin,user", someNewKey: 3 }, t)).toBe("roles: admin, user, some new key: 3");
    // Sign-in providers by their button label when the caller knows the configuration (pages do), else by id.
    const label = (id: string) => (id === "acme" ? "Acme SSO" : id);
    expect(describeDetails({ method: "oidc:acme+code", provider: "acme" }, t, label)).toBe("signed in with: Acme SSO and code, provider: Acme SSO");
    expect(describeDetails({ method: "oidc:acme" }, t)).toBe("signed in with: acme");
  });
});

describe("append-only", () => {
  it("refuses to change or delete an event, but a deleted user's events stay (actor and subject become null)", async () => {
    const { deleteUser } = await import("~/users/users.server");
    const user = await makeUser();
    await recordActivity({ type: "login_succeeded", actorId: user.id }, origin);
    const row = await db.selectFrom("activity").select("id").where("actor_id", "=", user.id).executeTakeFirstOrThrow();
    await expect(db.updateTable("activity").set({ type: "logout" }).where("id", "=", row.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable("activity").set({ details: '{"x":1}' }).where("id", "=", row.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable("activity").set({ ip: "10.0.0.1" }).where("id", "=", row.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable("activity").set({ actor_id: user.id + 1000 }).where("id", "=", row.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("activity").where("id", "=", row.id).execute()).rejects.toThrow(/append-only/);
    // Erasing personal data (account deletion) is the one change allowed.
    await db.updateTable("activity").set({ ip: "", user_agent: "", details: "{}" }).where("id", "=", row.id).execute();
    await deleteUser(user.id);
    expect(await db.selectFrom("activity").selectAll().where("id", "=", row.id).executeTakeFirst()).toMatchObject({
      ip: "",
      user_agent: "",
      type: "login_succeeded",
      actor_id: null,
      subject_id: null,
    });
  });
});
