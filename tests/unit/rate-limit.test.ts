import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  addressKey,
  counterKey,
  formatWait,
  limitRequest,
  lockoutDurationMs,
  MAX_LOCKOUT_MS,
  startAttempt,
  tooManyAttempts,
  type Who,
} from "~/auth/rate-limit.server";
import { db } from "~/db.server";
import { overrideConfig } from "../helpers/config";

const origin = { ip: "198.51.100.1", userAgent: "vitest" };
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

// rate-limiter-flexible reads the clock itself (Date.now), so the clock is injected by faking Date only.
function at(ms: number) {
  vi.setSystemTime(T0 + ms);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  at(0);
});
afterEach(() => {
  vi.useRealTimers();
});

let counter = 0;
function who(overrides: Partial<Who> = {}): Who {
  counter += 1;
  return { account: `${randomUUID()}@example.com`, address: `10.${counter % 250}.${Math.floor(counter / 250)}.7`, ...overrides };
}

/** The 429 Response a limited try throws, or null when the try was let through (and then failed). */
async function tryAndFail(scope: "password" | "two-factor", w: Who, from = origin): Promise<Response | null> {
  try {
    const attempt = await startAttempt(scope, w, from);
    await attempt.failed();
    return null;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}

/** The lockouts logged for requests from `ip` (each test that reads them uses its own). */
async function lockoutEvents(ip: string) {
  return db.selectFrom("activity").selectAll().where("type", "=", "lockout").where("ip", "=", ip).execute();
}

describe("the rules", () => {
  it("doubles each lockout within a day, up to an hour", () => {
    const minute = 60_000;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => lockoutDurationMs(minute, n) / minute)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    expect(lockoutDurationMs(minute, 1000)).toBe(MAX_LOCKOUT_MS);
    // A window longer than the cap is one window, never less.
    expect(lockoutDurationMs(86_400_000, 3)).toBe(86_400_000);
  });

  it("counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4", () => {
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:ffff::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0DB8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });

  it("keys counters by hashes, never by the typed account name", () => {
    const key = counterKey("account", { account: "my secret password", address: "1.2.3.4" });
    expect(key).not.toContain("secret");
    expect(key).toHaveLength(43);
    expect(counterKey("account-address", { account: "a@b.c", address: "" })).toBeNull();
    expect(counterKey("account", { account: null, address: "1.2.3.4" })).toBeNull();
    // The pair differs from either part, and one address's pair from another's.
    const pair = counterKey("account-address", { account: "a@b.c", address: "1.2.3.4" });
    expect(pair).not.toBe(counterKey("account", { account: "a@b.c", address: "1.2.3.4" }));
    expect(pair).not.toBe(counterKey("account-address", { account: "a@b.c", address: "1.2.3.5" }));
  });

  it("says how long to wait in words", () => {
    expect(formatWait(1)).toBe("1 second");
    expect(formatWait(45)).toBe("45 seconds");
    expect(formatWait(60)).toBe("1 minute");
    expect(formatWait(61)).toBe("2 minutes");
    expect(formatWait(3600)).toBe("1 hour");
    expect(formatWait(3900)).toBe("1 hour 5 minutes");
  });

  it("answers 429 with Retry-After in whole seconds and the time to come back", async () => {
    const response = tooManyAttempts(59_001, T0);
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("60");
    const body = (await response.json()) as { message: string; retryAfter: number; retryAt: string };
    expect(body.retryAfter).toBe(60);
    expect(body.retryAt).toBe("2030-01-01T12:01:00.000Z");
    expect(body.message).toBe("Too many attempts. Try again in 1 minute (after 12:01:00 UTC).");
  });
});

describe("startAttempt (LOGIN_RATE_LIMIT 5 per minute)", () => {
  it("lets five failures through, refuses the sixth try with 429 until the lockout ends", async () => {
    const w = who();
    for (let i = 0; i < 5; i++) expect(await tryAndFail("password", w)).toBeNull();
    const refused = await tryAndFail("password", w);
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get("Retry-After")).toBe("60");

    at(59_000);
    expect((await tryAndFail("password", w))?.headers.get("Retry-After")).toBe("1");
    at(60_001);
    expect(await tryAndFail("password", w)).toBeNull();
  });

  it("refuses before the secret is checked, so even a right password waits", async () => {
    const w = who();
    for (let i = 0; i < 5; i++) await tryAndFail("password", w);
    let checked = false;
    const outcome = await startAttempt("password", w, origin).then(
      () => (checked = true),
      (error: unknown) => error,
    );
    expect(checked).toBe(false);
    expect((outcome as Response).status).toBe(429);
  });

  it("starts the account's count again after a success", async () => {
    const w = who();
    for (let i = 0; i < 4; i++) await tryAndFail("password", w);
    await (await startAttempt("password", w, origin)).succeeded();
    for (let i = 0; i < 5; i++) expect(await tryAndFail("password", w)).toBeNull();
    expect((await tryAndFail("password", w))?.status).toBe(429);
  });

  it("keeps counting an attacker's address when the owner logs in from elsewhere", async () => {
    const account = `${randomUUID()}@example.com`;
    const attacker = who({ account });
    const owner = who({ account });
    for (let i = 0; i < 3; i++) await tryAndFail("password", attacker);
    await (await startAttempt("password", owner, origin)).succeeded();
    // The account's count restarted, the attacker's account+address count did not.
    for (let i = 0; i < 2; i++) expect(await tryAndFail("password", attacker)).toBeNull();
    expect((await tryAndFail("password", attacker))?.status).toBe(429);
    expect(await tryAndFail("password", owner)).toBeNull();
  });

  it("does not lock out another account", async () => {
    const address = "192.0.2.50";
    const victim = who({ address });
    const other = who({ address });
    for (let i = 0; i < 6; i++) await tryAndFail("password", victim);
    expect((await tryAndFail("password", victim))?.status).toBe(429);
    await (await startAttempt("password", other, origin)).succeeded();
  });

  it("doubles the lockout each time the account is locked again, and logs every lockout", async () => {
    const w = who();
    const from = { ip: "198.51.100.2", userAgent: "vitest" };
    for (let i = 0; i < 5; i++) await tryAndFail("password", w, from);
    expect((await tryAndFail("password", w, from))?.headers.get("Retry-After")).toBe("60");

    at(61_000);
    for (let i = 0; i < 5; i++) expect(await tryAndFail("password", w, from)).toBeNull();
    expect((await tryAndFail("password", w, from))?.headers.get("Retry-After")).toBe("120");

    at(61_000 + 121_000);
    for (let i = 0; i < 5; i++) await tryAndFail("password", w, from);
    expect((await tryAndFail("password", w, from))?.headers.get("Retry-After")).toBe("240");

    const mine = await lockoutEvents(from.ip);
    // Each round locks the account and the account+address pair.
    expect(mine.map((e) => JSON.parse(e.details).seconds).sort((a, b) => a - b)).toEqual([60, 60, 120, 120, 240, 240]);
    expect(new Set(mine.map((e) => JSON.parse(e.details).limit))).toEqual(new Set(["account", "account-address"]));
  });

  it("lets no more than the limit through a burst of parallel tries", async () => {
    const w = who();
    const from = { ip: "198.51.100.3", userAgent: "vitest" };
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => startAttempt("password", w, from)));
    const admitted = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(admitted).toHaveLength(5);
    expect(refused.every((o) => (o.reason as Response).status === 429)).toBe(true);
    await Promise.all(admitted.map((o) => o.value.failed()));
    const events = (await lockoutEvents(from.ip)).filter((e) => JSON.parse(e.details).limit === "account");
    expect(events).toHaveLength(1);
  });

  it("limits one address across accounts with LOGIN_IP_RATE_LIMIT, and refused tries cost other counters nothing", async () => {
    const restore = overrideConfig({ loginIpRateLimit: { points: 8, windowSeconds: 3600 } });
    try {
      const address = "203.0.113.77";
      const locked = who({ address });
      // Lock one account (5 failures), then hammer it: the refusals must not use up the address.
      for (let i = 0; i < 5; i++) await tryAndFail("password", locked);
      for (let i = 0; i < 10; i++) expect((await tryAndFail("password", locked))?.status).toBe(429);
      for (let i = 0; i < 3; i++) expect(await tryAndFail("password", who({ address }))).toBeNull();
      const refused = await tryAndFail("password", who({ address }));
      expect(refused?.status).toBe(429);
      expect(refused?.headers.get("Retry-After")).toBe("3600");
      // Another address is not affected.
      expect(await tryAndFail("password", who())).toBeNull();
    } finally {
      restore();
    }
  });

  it("keeps separate counts per scope", async () => {
    const w = who();
    for (let i = 0; i < 5; i++) await tryAndFail("two-factor", w);
    expect((await tryAndFail("two-factor", w))?.status).toBe(429);
    expect(await tryAndFail("password", w)).toBeNull();
  });

  it("limitRequest counts every request (reset mails, resends)", async () => {
    const w = who();
    for (let i = 0; i < 5; i++) await limitRequest("forgot-password", w, origin);
    await expect(limitRequest("forgot-password", w, origin)).rejects.toHaveProperty("status", 429);
  });

  it("keeps its counts in the database, shared by every process", async () => {
    const w = who();
    for (let i = 0; i < 3; i++) await tryAndFail("password", w);
    const key = `password:account:${counterKey("account", w)}`;
    const row = await db.selectFrom("rate_limits").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
    expect(row.points).toBe(3);
    expect(row.expire).toBe(T0 + 60_000);
  });
});
