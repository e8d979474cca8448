import { describe, expect, it } from "vitest";
import { checkToken, deleteExpiredTokens, hashToken, issueToken, markTokenUsed, pendingEmailChange } from "~/account/tokens.server";
import { runHousekeeping } from "~/housekeeping.server";
import { db } from "~/db.server";
import { updatePasswordHash, upgradePasswordHash } from "~/users/users.server";
import { makeUser, uniqueEmail } from "../helpers/users";

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

const issueReset = (user: Awaited<ReturnType<typeof makeUser>>, now = T0) =>
  issueToken(user, "password_reset", { email: user.email, maxAge: HOUR, now });

describe("account tokens", () => {
  it("are 256 random bits in the link and only their SHA-256 in the database", async () => {
    const user = await makeUser();
    const token = await issueReset(user);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const rows = await db.selectFrom("account_tokens").selectAll().where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("work until they expire, and only for their purpose", async () => {
    const user = await makeUser();
    const token = await issueReset(user);
    expect(await checkToken(token, ["password_reset"], T0 + HOUR - 1)).toMatchObject({ ok: true, user: { id: user.id } });
    expect(await checkToken(token, ["password_reset"], T0 + HOUR)).toEqual({ ok: false, problem: "expired" });
    expect(await checkToken(token, ["email_confirmation", "email_change"], T0)).toEqual({ ok: false, problem: "invalid" });
  });

  it("refuse altered, truncated and made-up tokens", async () => {
    const user = await makeUser();
    const token = await issueReset(user);
    const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const bad of [flipped, token.slice(0, -1), `${token}x`, "", "../../etc/passwd", "A".repeat(43)]) {
      expect(await checkToken(bad, ["password_reset"], T0), bad).toEqual({ ok: false, problem: "invalid" });
    }
  });

  it("work once", async () => {
    const user = await makeUser();
    const token = await issueReset(user);
    const check = await checkToken(token, ["password_reset"], T0);
    if (!check.ok) throw new Error("expected a usable token");
    expect(await markTokenUsed(db, check.token.id, T0 + 1)).toBe(true);
    expect(await markTokenUsed(db, check.token.id, T0 + 2)).toBe(false);
    expect(await checkToken(token, ["password_reset"], T0 + 3)).toEqual({ ok: false, problem: "used" });
  });

  it("are void once a newer one of the same purpose is issued", async () => {
    const user = await makeUser();
    const first = await issueReset(user, T0);
    const confirmation = await issueToken(user, "email_confirmation", { email: user.email, maxAge: HOUR, now: T0 });
    const second = await issueReset(user, T0 + 1000);
    expect(await checkToken(first, ["password_reset"], T0 + 2000)).toEqual({ ok: false, problem: "superseded" });
    expect((await checkToken(second, ["password_reset"], T0 + 2000)).ok).toBe(true);
    // Another purpose is untouched.
    expect((await checkToken(confirmation, ["email_confirmation"], T0 + 2000)).ok).toBe(true);
  });

  it("reset tokens die with any change of the password, whoever makes it", async () => {
    const user = await makeUser();
    const token = await issueReset(user);
    await updatePasswordHash(user.id, "$2b$04$someoneElseSetThisPasswordHashXXXXXXXXXXXXXXXXXXXXXXXX");
    expect(await checkToken(token, ["password_reset"], T0 + 1)).toEqual({ ok: false, problem: "superseded" });
  });

  it("every kind of link dies with a password change; a cost upgrade of the same password keeps them", async () => {
    const user = await makeUser();
    const change = await issueToken(user, "email_change", { email: uniqueEmail("new"), maxAge: HOUR, now: T0 });
    const confirmation = await issueToken(user, "email_confirmation", { email: user.email, maxAge: HOUR, now: T0 });
    await upgradePasswordHash(user.id, user.password_hash, "$2b$05$theSamePasswordAtAHigherCostXXXXXXXXXXXXXXXXXXXXXXXXXX");
    expect((await checkToken(change, ["email_change"], T0 + 1)).ok).toBe(true);
    expect((await checkToken(confirmation, ["email_confirmation"], T0 + 1)).ok).toBe(true);
    await updatePasswordHash(user.id, "$2b$04$someoneElseSetThisPasswordHashXXXXXXXXXXXXXXXXXXXXXXXX");
    expect(await checkToken(change, ["email_change"], T0 + 2)).toEqual({ ok: false, problem: "superseded" });
    expect(await checkToken(confirmation, ["email_confirmation"], T0 + 2)).toEqual({ ok: false, problem: "superseded" });
  });

  it("reset tokens die when the account no longer has the address they were sent to", async () => {
    const user = await makeUser();
    const token = await issueReset(user);
    await db.updateTable("users").set({ email: uniqueEmail("moved") }).where("id", "=", user.id).execute();
    expect(await checkToken(token, ["password_reset"], T0 + 1)).toEqual({ ok: false, problem: "superseded" });
  });

  it("confirmation tokens die when the address they confirm is no longer the account's", async () => {
    const user = await makeUser();
    const token = await issueToken(user, "email_confirmation", { email: user.email, maxAge: HOUR, now: T0 });
    await db.updateTable("users").set({ email: uniqueEmail("moved") }).where("id", "=", user.id).execute();
    expect(await checkToken(token, ["email_confirmation"], T0 + 1)).toEqual({ ok: false, problem: "superseded" });
  });

  it("do nothing for a deactivated account", async () => {
    const user = await makeUser();
    const token = await issueReset(user);
    await db.updateTable("users").set({ active: 0 }).where("id", "=", user.id).execute();
    expect(await checkToken(token, ["password_reset"], T0 + 1)).toEqual({ ok: false, problem: "invalid" });
  });

  it("show the newest live email change as pending", async () => {
    const user = await makeUser();
    expect(await pendingEmailChange(user.id, T0)).toBeNull();
    const first = uniqueEmail("first");
    const second = uniqueEmail("second");
    await issueToken(user, "email_change", { email: first, maxAge: HOUR, now: T0 });
    await issueToken(user, "email_change", { email: second, maxAge: HOUR, now: T0 + 1 });
    expect(await pendingEmailChange(user.id, T0 + 2)).toEqual({ email: second, expiresAt: T0 + 1 + HOUR });
    expect(await pendingEmailChange(user.id, T0 + 1 + HOUR)).toBeNull();
  });

  it("go with their account", async () => {
    const user = await makeUser();
    await issueReset(user);
    await db.deleteFrom("users").where("id", "=", user.id).execute();
    const left = await db.selectFrom("account_tokens").select("id").where("user_id", "=", user.id).execute();
    expect(left).toEqual([]);
  });

  it("are removed by housekeeping a week after they expired (until then an old link is told it expired); live ones kept", async () => {
    const user = await makeUser();
    const WEEK = 7 * 24 * HOUR;
    // Issued oldest last: issuing clears rows past the same retention.
    const recent = await issueToken(user, "email_confirmation", { email: user.email, maxAge: HOUR, now: T0 - 2 * HOUR });
    const live = await issueReset(user, T0);
    const old = await issueReset(user, T0 - WEEK - 2 * HOUR);
    expect(await deleteExpiredTokens(T0, { batchSize: 1 })).toBeGreaterThanOrEqual(1);
    const hashes = (await db.selectFrom("account_tokens").select("token_hash").where("user_id", "=", user.id).execute()).map((r) => r.token_hash);
    expect(hashes.sort()).toEqual([hashToken(recent), hashToken(live)].sort());
    expect(hashes).not.toContain(hashToken(old));
    expect(await checkToken(recent, ["email_confirmation"], T0)).toEqual({ ok: false, problem: "expired" });
    expect(await runHousekeeping(T0)).toHaveProperty("expired tokens");
  });
});
