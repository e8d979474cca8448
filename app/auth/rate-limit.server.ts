import type { HeadersFunction } from "@remix-run/node";
import { RateLimiterPostgres, RateLimiterRes, RateLimiterSQLite, type RateLimiterStoreAbstract } from "rate-limiter-flexible";
import type { ActivityOrigin } from "~/activity/activity.server";
import { getConfig } from "~/config.server";
import { databaseDialect, postgresPool, sqliteHandle } from "~/db.server";
import { announce } from "~/events/events.server";
import { logger } from "~/logger.server";
import { sha256Base64url } from "~/utils/crypto.server";
import { clientNetwork } from "~/utils/ip-address";
import { singleton } from "~/utils/singleton.server";

/**
 * Brute-force protection, counted in the app's own database
 * (rate-limiter-flexible's RateLimiterSQLite or RateLimiterPostgres on the
 * `rate_limits` table), so limits survive restarts and every process, and
 * every instance on one PostgreSQL database, shares them.
 *
 * A guarded check reserves its try BEFORE the secret is checked:
 *
 *   const attempt = await startAttempt("password", { account: email, address: context.clientIp }, origin);
 *   // throws a 429 Response (Retry-After, a page saying when) while any counter is at its limit
 *   if (await passwordIsRight()) await attempt.succeeded(); // resets the account's counters
 *   else await attempt.failed();                             // may lock the account out (logged)
 *
 * Reserving first makes the count atomic: a burst of parallel tries gets at
 * most the limit through, the rest are refused before any password is read.
 * Requests that count whatever their outcome (a password-reset mail, a
 * confirmation resend) use `limitRequest(scope, who, origin)`; requests that
 * are only counted, never locked out (the API), `countRequest`.
 */

export type LimitScope =
  | "password"
  | "two-factor"
  | "passkey"
  | "passkey-options"
  | "forgot-password"
  | "confirmation-resend"
  | "email-change"
  | "register"
  | "api"
  | "provider";
export type LimitKind = "account" | "account-address" | "address";
export type Rate = { points: number; windowSeconds: number };

/** Who is trying: the account (an email, or a user id) and the client address (`context.clientIp`). */
export type Who = { account?: string | number | null; address: string; subjectId?: number | null };

/** The longest lockout, however often an account is locked (it is then still temporary). */
export const MAX_LOCKOUT_MS = 60 * 60 * 1000;
/** How long lockouts are remembered for the backoff: each one within this time doubles the next. */
export const LOCKOUT_MEMORY_MS = 24 * 60 * 60 * 1000;

/** The counters of each scope and the rate each allows (from LOGIN_RATE_LIMIT and LOGIN_IP_RATE_LIMIT). */
export function limitRules(scope: LimitScope): { kind: LimitKind; rate: Rate }[] {
  const { loginRateLimit, loginIpRateLimit, apiRateLimit, apiIpRateLimit } = getConfig();
  // The API counts every request: per token (the "account") and per client address.
  if (scope === "api") return [{ kind: "account", rate: apiRateLimit }, { kind: "address", rate: apiIpRateLimit }];
  // Signed-out passkey ceremonies: each asks for options (a stored challenge) first; counted like API calls, per address.
  if (scope === "passkey-options") return [{ kind: "address", rate: apiIpRateLimit }];
  const perAccount = { kind: "account", rate: loginRateLimit } as const;
  const perAddress = { kind: "address", rate: loginIpRateLimit } as const;
  if (scope === "password" || scope === "two-factor" || scope === "passkey") {
    return [perAccount, { kind: "account-address", rate: loginRateLimit }, perAddress];
  }
  // "An account with this email already exists" answers a question about any address: ask it rarely per client.
  if (scope === "register") return [perAddress];
  // A provider callback names no account before it is verified: refused callbacks count per address.
  if (scope === "provider") return [perAddress];
  return [perAccount, perAddress];
}

/**
 * How long the `lockoutNumber`-th lockout (1 = first) within LOCKOUT_MEMORY_MS
 * lasts: one window, then twice as long each time, never more than
 * MAX_LOCKOUT_MS (or one window, if the window itself is longer).
 */
export function lockoutDurationMs(windowMs: number, lockoutNumber: number): number {
  const doubled = windowMs * 2 ** Math.max(0, Math.min(lockoutNumber - 1, 30));
  return Math.min(doubled, Math.max(windowMs, MAX_LOCKOUT_MS));
}

/**
 * The address a per-address counter is kept for. IPv4-mapped IPv6 addresses
 * count as IPv4; an IPv6 address counts by its /64 network, because one
 * client usually holds a whole /64.
 */
export function addressKey(ip: string): string {
  return clientNetwork(ip, 32);
}

/** The counter key for one kind; null when the request lacks what the kind counts by. */
export function counterKey(kind: LimitKind, who: Who): string | null {
  const account = who.account === undefined || who.account === null || who.account === "" ? null : String(who.account);
  const address = who.address ? addressKey(who.address) : null;
  let value: string | null;
  if (kind === "account") value = account;
  else if (kind === "address") value = address;
  else value = account && address ? `${address}|${account}` : null;
  // Hashed: people type passwords into the email field, and the table should not keep them.
  return value === null ? null : sha256Base64url(value);
}

/** "45 seconds", "2 minutes", "1 hour 5 minutes". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours} hour${hours === 1 ? "" : "s"}${rest ? ` ${rest} minute${rest === 1 ? "" : "s"}` : ""}`;
}

export type TooManyAttemptsData = { message: string; retryAfter: number; retryAt: string };

/** The 429 a limited request gets: Retry-After in seconds, and a message that says when to try again. */
export function tooManyAttempts(msBeforeNext: number, now = Date.now()): Response {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const retryAt = new Date(now + retryAfter * 1000);
  const clock = retryAt.toISOString().slice(11, 19);
  const body: TooManyAttemptsData = {
    message: `Too many attempts. Try again in ${formatWait(retryAfter)} (after ${clock} UTC).`,
    retryAfter,
    retryAt: retryAt.toISOString(),
  };
  return Response.json(body, {
    status: 429,
    statusText: "Too Many Requests",
    headers: { "Retry-After": String(retryAfter) },
  });
}

/** A route's `headers` export that passes a 429's Retry-After on to the response. */
export const rateLimitHeaders: HeadersFunction = ({ errorHeaders, actionHeaders }) => {
  const retryAfter = errorHeaders?.get("Retry-After") ?? actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

type Limiter = RateLimiterStoreAbstract;

/** The limiters of each open database handle (a reopened database gets new ones). */
type Limiters = WeakMap<object, Map<string, Limiter>>;

function limiter(prefix: string, points: number, durationSeconds: number): Limiter {
  const postgres = databaseDialect() === "postgres";
  const storeClient: object = postgres ? postgresPool() : sqliteHandle();
  const byHandle = singleton<Limiters>("rate-limiters", () => new WeakMap());
  let limiters = byHandle.get(storeClient);
  if (!limiters) byHandle.set(storeClient, (limiters = new Map()));
  const id = `${prefix}:${points}:${durationSeconds}`;
  let instance = limiters.get(id);
  if (!instance) {
    const options = {
      tableName: "rate_limits",
      tableCreated: true, // db/migrations/0006_two_factor.ts
      // One sweeper per process is enough: every limiter shares the table.
      clearExpiredByTimeout: limiters.size === 0,
      keyPrefix: prefix,
      points,
      duration: durationSeconds,
    };
    instance = postgres
      ? new RateLimiterPostgres({ ...options, storeClient, storeType: "pool" })
      : new RateLimiterSQLite({ ...options, storeClient, storeType: "better-sqlite3" });
    limiters.set(id, instance);
  }
  return instance;
}

function lockoutHistory(scope: LimitScope, kind: LimitKind): Limiter {
  return limiter(`${scope}:${kind}:lockouts`, Number.MAX_SAFE_INTEGER, LOCKOUT_MEMORY_MS / 1000);
}

type Counter = { kind: LimitKind; rate: Rate; key: string; limiter: Limiter };

function counters(scope: LimitScope, who: Who): Counter[] {
  return limitRules(scope).flatMap(({ kind, rate }) => {
    const key = counterKey(kind, who);
    return key ? [{ kind, rate, key, limiter: limiter(`${scope}:${kind}`, rate.points, rate.windowSeconds) }] : [];
  });
}

/** One reserved try; say how it went. */
export class Attempt {
  constructor(
    readonly scope: LimitScope,
    private readonly reserved: (Counter & { consumed: number })[],
    private readonly who: Who,
    private readonly origin: ActivityOrigin,
  ) {}

  /** The secret was right: the account's counters start again; the address keeps no mark for it. */
  async succeeded(): Promise<void> {
    await Promise.all(
      this.reserved.map((c) => (c.kind === "address" ? c.limiter.reward(c.key, 1) : c.limiter.delete(c.key))),
    );
  }

  /** The secret was wrong: a counter that has now reached its limit locks its key out (with backoff). */
  async failed({ subjectId }: { subjectId?: number | null } = {}): Promise<void> {
    for (const counter of this.reserved) {
      // Reservations are atomic, so exactly one failure sees the count reach the limit.
      if (counter.consumed !== counter.rate.points) continue;
      // An address lockout concerns every account tried from there, not this one.
      await this.lockOut(counter, counter.kind === "address" ? null : (subjectId ?? this.who.subjectId ?? null));
    }
  }

  /** The try was not made after all (another check refused first): give the reservation back. */
  async cancelled(): Promise<void> {
    await Promise.all(this.reserved.map((c) => c.limiter.reward(c.key, 1)));
  }

  private async lockOut(counter: Counter, subjectId: number | null): Promise<void> {
    const history = await lockoutHistory(this.scope, counter.kind).consume(counter.key, 1);
    const ms = lockoutDurationMs(counter.rate.windowSeconds * 1000, history.consumedPoints);
    await counter.limiter.block(counter.key, ms / 1000);
    const seconds = Math.ceil(ms / 1000);
    logger.warn({ scope: this.scope, limit: counter.kind, seconds, lockouts: history.consumedPoints, ip: this.origin.ip }, "lockout");
    await announce(
      {
        type: "lockout",
        actorId: null,
        subjectId,
        details: { scope: this.scope, limit: counter.kind, seconds, lockouts: history.consumedPoints },
      },
      this.origin,
    );
  }
}

/**
 * Reserves one try for `who` in `scope`. Throws the 429 Response while any of
 * the scope's counters is at its limit, before anything else is checked; the
 * same for every account name, existing or not, so it tells nothing about
 * which accounts exist.
 */
export async function startAttempt(scope: LimitScope, who: Who, origin: ActivityOrigin): Promise<Attempt> {
  const list = counters(scope, who);
  const reserved: (Counter & { consumed: number })[] = [];
  let refusedMs = 0;
  // One counter after the other, stopping at the first refusal: a try that one
  // counter refuses never takes a place at the next. (In parallel, with several
  // database connections, two counters could admit different tries of one
  // burst, and the burst would get fewer than the limit through.)
  for (const [i, counter] of list.entries()) {
    try {
      const result = await counter.limiter.consume(counter.key, 1);
      reserved.push({ ...counter, consumed: result.consumedPoints });
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) {
        await Promise.all(reserved.map((c) => c.limiter.reward(c.key, 1)));
        throw error;
      }
      refusedMs = Math.max(error.msBeforeNext, 1);
      // Retry-After names the longest wait: read the counters not tried.
      for (const rest of list.slice(i + 1)) {
        const state = await rest.limiter.get(rest.key);
        if (state && state.consumedPoints >= rest.rate.points) refusedMs = Math.max(refusedMs, state.msBeforeNext);
      }
      break;
    }
  }
  if (refusedMs > 0) {
    // A refused try is no try: the counters that had let it through get their point back.
    await Promise.all(reserved.map((c) => c.limiter.reward(c.key, 1)));
    throw tooManyAttempts(refusedMs);
  }
  return new Attempt(scope, reserved, who, origin);
}

/**
 * Lifts the per-account lockout of `scope` for `who.account` (after a password
 * reset proved the owner holds the mailbox): the account's counter, and the
 * account+address one for the address the reset came from. Per-address
 * counters stay (they concern every account tried from there), and so does the
 * lockout history, so someone still guessing gets the longer backoff.
 */
export async function liftAccountLockout(scope: LimitScope, who: Who): Promise<void> {
  const perAccount = counters(scope, who).filter((c) => c.kind !== "address");
  await Promise.all(perAccount.map((c) => c.limiter.delete(c.key)));
}

/** For requests that count whatever their outcome (reset mails, confirmation resends): 429 once over the limit. */
export async function limitRequest(scope: LimitScope, who: Who, origin: ActivityOrigin): Promise<void> {
  const attempt = await startAttempt(scope, who, origin);
  await attempt.failed();
}

/** For requests that are simply counted (the API): 429 once over the limit, with no lockout and nothing logged. */
export async function countRequest(scope: LimitScope, who: Who, origin: ActivityOrigin): Promise<void> {
  await startAttempt(scope, who, origin);
}

/** True when `error` is the 429 Response thrown by startAttempt/limitRequest. */
export function isTooManyAttempts(error: unknown): error is Response {
  return error instanceof Response && error.status === 429;
}
