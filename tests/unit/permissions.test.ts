import { describe, expect, it } from "vitest";
import { getUser, requirePermission, requireRole } from "~/auth/guards.server";
import { PERMISSIONS } from "~/auth/permissions";
import { serializeSessionCookie } from "~/auth/session-cookie.server";
import { createSession, findActiveSession } from "~/auth/sessions.server";
import { db } from "~/db.server";
import { findAccess } from "~/users/roles.server";
import { updateUser } from "~/users/users.server";
import { makeUser } from "../helpers/users";
import { guardArgs } from "../helpers/identity";
import { thrown } from "../helpers/responses";

async function signedInRequest(userId: number, url = "http://localhost/admin/users?q=x") {
  const { id } = await createSession(userId, { remember: false, client: { userAgent: "", ip: "" } });
  const cookie = (await serializeSessionCookie(id, false)).split(";")[0]!;
  return () => new Request(url, { headers: { Cookie: cookie } });
}

describe("roles and permissions in the database", () => {
  it("seeds admin with every permission and user with none", async () => {
    const rows = await db
      .selectFrom("roles")
      .leftJoin("role_permissions", "role_permissions.role_id", "roles.id")
      .leftJoin("permissions", "permissions.id", "role_permissions.permission_id")
      .select(["roles.name as role", "permissions.name as permission"])
      .execute();
    const of = (role: string) => rows.filter((r) => r.role === role && r.permission).map((r) => r.permission).sort();
    expect(of("admin")).toEqual([...PERMISSIONS].sort());
    expect(of("user")).toEqual([]);
  });

  it("gives a new account the user role, and unions the permissions of several roles", async () => {
    const plain = await makeUser();
    expect(await findAccess(plain.id)).toEqual({ roles: ["user"], permissions: [] });

    const [auditor] = await db.insertInto("roles").values({ name: `auditor-${plain.id}` }).returning("id").execute();
    const auditRead = await db.selectFrom("permissions").select("id").where("name", "=", "audit:read").executeTakeFirstOrThrow();
    await db.insertInto("role_permissions").values({ role_id: auditor!.id, permission_id: auditRead.id }).execute();
    const both = await makeUser({ roles: ["user", `auditor-${plain.id}`] });
    expect(await findAccess(both.id)).toEqual({ roles: [`auditor-${plain.id}`, "user"].sort(), permissions: ["audit:read"] });
  });

  it("reads the same roles and permissions with the session, in its one query, for every kind of user", async () => {
    const client = { userAgent: "", ip: "" };
    const admin = await makeUser({ roles: ["admin"] });
    const plain = await makeUser();
    const none = await makeUser({ roles: [] });
    for (const user of [admin, plain, none]) {
      const { id } = await createSession(user.id, { remember: false, client });
      const active = (await findActiveSession(id))!;
      expect(active.user.id).toBe(user.id);
      expect(active.access).toEqual(await findAccess(user.id));
    }
    expect((await findAccess(none.id)).roles).toEqual([]);
    expect((await findAccess(admin.id)).permissions).toEqual([...PERMISSIONS].sort());
  });
});

describe("requirePermission / requireRole", () => {
  it("sends an anonymous request to log in, with redirectTo", async () => {
    const response = await thrown(requirePermission(await guardArgs(new Request("http://localhost/admin/users?page=2")), "users:read"));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fusers%3Fpage%3D2");
    expect((await thrown(requireRole(await guardArgs(new Request("http://localhost/admin/users")), "admin"))).status).toBe(302);
  });

  it("answers 403 to a signed-in user without the permission or role", async () => {
    const user = await makeUser();
    const request = await signedInRequest(user.id);
    for (const permission of PERMISSIONS) {
      const response = await thrown(requirePermission(await guardArgs(request()), permission));
      expect(response.status).toBe(403);
      expect(await response.text()).toBe("You do not have permission to see this page.");
    }
    expect((await thrown(requireRole(await guardArgs(request()), "admin"))).status).toBe(403);
    await expect(requireRole(await guardArgs(request()), "user")).resolves.toMatchObject({ id: user.id });
  });

  it("lets an admin through and gives the route the user with roles and permissions", async () => {
    const admin = await makeUser({ roles: ["admin"] });
    const request = await signedInRequest(admin.id);
    const current = await requirePermission(await guardArgs(request()), "users:delete");
    expect(current).toMatchObject({ id: admin.id, roles: ["admin"], permissions: [...PERMISSIONS].sort() });
    expect(current).not.toHaveProperty("password_hash");
    await expect(requireRole(await guardArgs(request()), "admin")).resolves.toMatchObject({ id: admin.id });
  });

  it("applies a role change at the user's next request, without a new login", async () => {
    await makeUser({ roles: ["admin"] }); // another admin, so demoting the member again is allowed
    const member = await makeUser();
    const request = await signedInRequest(member.id);
    expect((await thrown(requirePermission(await guardArgs(request()), "users:read"))).status).toBe(403);

    await updateUser(member.id, { roles: ["admin"] });
    await expect(requirePermission(await guardArgs(request()), "users:read")).resolves.toMatchObject({ id: member.id });

    await updateUser(member.id, { roles: ["user"] });
    expect((await thrown(requirePermission(await guardArgs(request()), "users:read"))).status).toBe(403);
  });

  it("reads the user and their access once per request, however many loaders ask", async () => {
    const admin = await makeUser({ roles: ["admin"] });
    const args = await guardArgs((await signedInRequest(admin.id))());
    const first = await requirePermission(args, "users:read");
    await updateUser(admin.id, { name: "Renamed meanwhile" });
    const [second, third] = await Promise.all([getUser(args), requireRole(args, "admin")]);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(first.name).toBe("Test User");
  });

  it("treats a deactivated user's session as anonymous at once", async () => {
    const user = await makeUser();
    const request = await signedInRequest(user.id);
    expect(await getUser(await guardArgs(request()))).not.toBeNull();
    await updateUser(user.id, { active: false });
    expect(await getUser(await guardArgs(request()))).toBeNull();
  });
});
