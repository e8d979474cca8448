import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { randomHex } from "./utils/crypto.server";
import { singleton } from "./utils/singleton.server";

/**
 * Every setting of the app, its default and its validation, in one place.
 * Values come from the environment (see README "Configuration"); a bad value
 * stops the start with a message naming the variable and the accepted form.
 */

export class ConfigError extends Error {
  override name = "ConfigError";
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_FORM = "a duration such as 45s, 15m, 12h, 30d or a number of seconds";

/** Parses `45s`, `15m`, `12h`, `30d` or plain seconds into milliseconds; null when malformed. */
export function parseDuration(value: string): number | null {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(value);
  if (!match) return null;
  const seconds = Number(match[1]) * (DURATION_UNITS[match[2] || "s"] ?? 1);
  return seconds > 0 && Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : null;
}

const RATE_UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/** Parses `5 per minute` into a count and a window in seconds; null when malformed. */
export function parseRate(value: string): { points: number; windowSeconds: number } | null {
  const match = /^\s*(\d+)\s*(?:per|\/)\s*(second|minute|hour|day)s?\s*$/i.exec(value);
  if (!match) return null;
  const points = Number(match[1]);
  const windowSeconds = RATE_UNITS[match[2]!.toLowerCase()]!;
  return points > 0 ? { points, windowSeconds } : null;
}

const DAY_MS = 86_400_000;
/** No duration setting is longer: a time that far ahead no longer fits a date. */
const DURATION_MAX_DAYS = 36_500;
/** Browsers keep no cookie longer (RFC 6265bis caps Expires and Max-Age at 400 days). */
const COOKIE_MAX_DAYS = 400;

const durationUpTo = (maxDays: number, why: string) =>
  z.string().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.addIssue({ code: "custom", message: `expected ${DURATION_FORM}` });
      return z.NEVER;
    }
    if (ms > maxDays * DAY_MS) {
      ctx.addIssue({ code: "custom", message: `expected at most ${maxDays}d (${why})` });
      return z.NEVER;
    }
    return ms;
  });

const duration = durationUpTo(DURATION_MAX_DAYS, "about a century");

/** A rate such as `5 per minute`; `example` shows the accepted form in the error. */
const rate = (example: string) =>
  z.string().transform((value, ctx) => {
    const parsed = parseRate(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `expected N per second, minute, hour or day, for example ${example}` });
      return z.NEVER;
    }
    return parsed;
  });

const boolean = z.string().transform((value, ctx) => {
  const v = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(v)) return true;
  if (["false", "0", "no", "off"].includes(v)) return false;
  ctx.addIssue({ code: "custom", message: "expected true or false" });
  return z.NEVER;
});

const origin = z.string().transform((value, ctx) => {
  try {
    const url = new URL(value);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === value.replace(/\/$/, "")) {
      return url.origin;
    }
  } catch {
    // reported below
  }
  ctx.addIssue({ code: "custom", message: "expected an origin such as https://app.example.com (scheme, host, optional port; no path)" });
  return z.NEVER;
});

const EnvSchema = z.object({
  NODE_ENV: z.enum(["production", "development", "test"]).default("development"),
  PORT: z.coerce
    .number({ message: "expected a port number from 0 to 65535" })
    .int("expected a port number from 0 to 65535")
    .min(0, "expected a port number from 0 to 65535")
    .max(65535, "expected a port number from 0 to 65535")
    .default(3000),
  HOST: z.string().min(1, "expected a host name or address").default("127.0.0.1"),
  DATABASE_URL: z.string().default("file:./data/app.db"),
  SESSION_SECRET: z.string().optional(),
  ENCRYPTION_KEY: z.string().optional(),
  APP_ORIGIN: origin.optional(),
  SESSION_COOKIE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_\-]+$/, "expected a cookie name of letters, digits, _ and -")
    // The app's other cookies are this name with a suffix, on their own paths (/login, /auth): a browser refuses those under __Host-.
    .refine((name) => !/^__host-/i.test(name), "the __Host- prefix is not supported (the app's other cookies take this name with their own paths)")
    .default("__session"),
  SESSION_COOKIE_SECURE: boolean.optional(),
  SESSION_IDLE_TIMEOUT: duration.default(30 * 60 * 1000),
  SESSION_ABSOLUTE_TIMEOUT: duration.default(12 * 3600 * 1000),
  REMEMBER_COOKIE_DURATION: durationUpTo(COOKIE_MAX_DAYS, "browsers keep no cookie longer").default(30 * 86400 * 1000),
  REMEMBER_COOKIE_REFRESH_EACH_REQUEST: boolean.default(false),
  FRESH_LOGIN_MAX_AGE: duration.default(10 * 60 * 1000),
  SESSION_PROTECTION: z
    .enum(["off", "basic", "strong"], { message: "expected off, basic or strong" })
    .default("basic"),
  // Unset: the built-in text, in the visitor's language (app/i18n); set: the operator's text, as it is.
  LOGIN_MESSAGE: z.string().optional(),
  LOGIN_MESSAGE_CATEGORY: z.string().default("info"),
  NEEDS_REFRESH_MESSAGE: z.string().optional(),
  NEEDS_REFRESH_MESSAGE_CATEGORY: z.string().default("info"),
  LOGIN_RATE_LIMIT: rate("5 per minute")
    .default({ points: 5, windowSeconds: 60 }),
  LOGIN_IP_RATE_LIMIT: rate("100 per hour")
    .default({ points: 100, windowSeconds: 3600 }),
  API_RATE_LIMIT: rate("300 per minute")
    .default({ points: 300, windowSeconds: 60 }),
  API_IP_RATE_LIMIT: rate("600 per minute")
    .default({ points: 600, windowSeconds: 60 }),
  BCRYPT_COST: z.coerce
    .number({ message: "expected a whole number from 4 to 15" })
    .int("expected a whole number from 4 to 15")
    .min(4, "expected a whole number from 4 to 15")
    .max(15, "expected a whole number from 4 to 15")
    .default(12),
  REGISTRATION: z.enum(["open", "closed"], { message: "expected open or closed" }).default("open"),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, "expected smtp://user:pass@host:port")
    .optional(),
  MAIL_FROM: z.string().min(3, "expected an email address").default("no-reply@localhost"),
  RESET_TOKEN_MAX_AGE: duration.default(3600 * 1000),
  EMAIL_TOKEN_MAX_AGE: duration.default(24 * 3600 * 1000),
  TRUST_PROXY: boolean.default(false),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "expected fatal, error, warn, info, debug, trace or silent",
    })
    .default("info"),
  LOG_FILE: z.string().min(1).optional(),
  WEB_CONCURRENCY: z.coerce
    .number({ message: "expected a whole number of worker processes from 1 to 64" })
    .int("expected a whole number of worker processes from 1 to 64")
    .min(1, "expected a whole number of worker processes from 1 to 64")
    .max(64, "expected a whole number of worker processes from 1 to 64")
    .optional(),
  OIDC_REQUIRE_TOTP: boolean.default(true),
});

/** One sign-in provider (OIDC_<ID>_*): `id` is the lower-case form used in URLs. */
export type OidcProviderConfig = {
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `https://github.com`: GitHub's plain OAuth 2 (no discovery, no ID token), read through its API. */
  kind: "oidc" | "github";
};

export type Config = {
  env: "production" | "development" | "test";
  isProduction: boolean;
  port: number;
  host: string;
  /** Which database DATABASE_URL names: a SQLite file, or a PostgreSQL server. */
  database: DatabaseTarget;
  /** The SQLite file; null on PostgreSQL. */
  databasePath: string | null;
  /** Generated secrets and the development outbox: the SQLite file's folder, or ./data on PostgreSQL. */
  dataDir: string;
  /** The first signs; all verify (rotation). */
  sessionSecrets: string[];
  /** Secrets at rest (TOTP seeds, recovery-code keys): the first encrypts; all decrypt (rotation). */
  encryptionKeys: string[];
  appOrigin: string;
  sessionCookieName: string;
  sessionCookieSecure: boolean;
  /** Durations are in milliseconds. */
  sessionIdleTimeout: number;
  sessionAbsoluteTimeout: number;
  rememberCookieDuration: number;
  rememberCookieRefreshEachRequest: boolean;
  freshLoginMaxAge: number;
  sessionProtection: "off" | "basic" | "strong";
  /** null: the built-in text in the visitor's language; "" = no flash. */
  loginMessage: string | null;
  loginMessageCategory: string;
  /** null: the built-in text in the visitor's language; "" = no flash. */
  needsRefreshMessage: string | null;
  needsRefreshMessageCategory: string;
  loginRateLimit: { points: number; windowSeconds: number };
  /** Failures allowed per client address across all accounts (looser than loginRateLimit). */
  loginIpRateLimit: { points: number; windowSeconds: number };
  /** API requests allowed per token (API_RATE_LIMIT) and per client address (API_IP_RATE_LIMIT). */
  apiRateLimit: { points: number; windowSeconds: number };
  apiIpRateLimit: { points: number; windowSeconds: number };
  bcryptCost: number;
  registration: "open" | "closed";
  smtpUrl: string | undefined;
  mailFrom: string;
  /** How long a password reset link works (ms). */
  resetTokenMaxAge: number;
  /** How long an email confirmation link works (ms). */
  emailTokenMaxAge: number;
  trustProxy: boolean;
  logLevel: string;
  logFile: string | undefined;
  /** Server worker processes that `npm start` runs on the one port. */
  webConcurrency: number;
  /** OIDC_<ID>_* providers, in the order of their ids. */
  oidcProviders: OidcProviderConfig[];
  /** OIDC_REQUIRE_TOTP: a user with two-factor still gives a code after a provider sign-in. */
  oidcRequireTotp: boolean;
};

type Env = Record<string, string | undefined>;

export type DatabaseTarget = { dialect: "sqlite"; path: string } | { dialect: "postgres"; url: string };

const DATABASE_URL_FORMS = "expected file:PATH (for example file:./data/app.db) or postgres://USER:PASSWORD@HOST:PORT/DATABASE (or postgresql://)";

/** `file:PATH` is a SQLite file; `postgres://` or `postgresql://` a PostgreSQL database. Throws ConfigError otherwise. */
export function parseDatabaseUrl(value: string): DatabaseTarget {
  const bad = () => new ConfigError(`Invalid configuration:\n  DATABASE_URL: ${DATABASE_URL_FORMS} (got ${JSON.stringify(redactPassword(value))})`);
  if (/^file:.+/.test(value)) return { dialect: "sqlite", path: path.resolve(value.slice("file:".length)) };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw bad();
    }
    // A host and a database name: without them, libpq defaults (a local socket, the user's name) would decide silently.
    if (!url.hostname || url.pathname.length < 2) throw bad();
    return { dialect: "postgres", url: value };
  }
  throw bad();
}

/** The URL with its password replaced, for messages and logs. */
export function redactPassword(value: string): string {
  return value.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}

/**
 * Reads and validates the configuration from `env`. Pure except for one thing:
 * outside production, a missing SESSION_SECRET is generated once and kept in
 * the data folder, so that sessions survive restarts on a developer machine.
 */
export function loadConfig(env: Env = process.env): Config {
  // An empty variable counts as unset, except for the messages, where empty means "no flash".
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value === "" && !key.endsWith("_MESSAGE")) continue;
    cleaned[key] = value;
  }
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const got = cleaned[name];
      return `  ${name}: ${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === "production";
  const database = parseDatabaseUrl(e.DATABASE_URL);
  const databasePath = database.dialect === "sqlite" ? database.path : null;
  const dataDir = databasePath ? path.dirname(databasePath) : path.resolve("data");

  if (isProduction && !e.APP_ORIGIN) {
    throw new ConfigError("Invalid configuration:\n  APP_ORIGIN: required with NODE_ENV=production; expected an origin such as https://app.example.com");
  }
  if (/^__secure-/i.test(e.SESSION_COOKIE_NAME) && !(e.SESSION_COOKIE_SECURE ?? isProduction)) {
    throw new ConfigError("Invalid configuration:\n  SESSION_COOKIE_NAME: a __Secure- name needs SESSION_COOKIE_SECURE=true (browsers drop such cookies otherwise)");
  }
  const sessionSecrets = readSecretList("SESSION_SECRET", e.SESSION_SECRET, isProduction, dataDir, "session-secret");
  const encryptionKeys = readSecretList("ENCRYPTION_KEY", e.ENCRYPTION_KEY, isProduction, dataDir, "encryption-key");

  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    database,
    databasePath,
    dataDir,
    sessionSecrets,
    encryptionKeys,
    appOrigin: e.APP_ORIGIN ?? `http://localhost:${e.PORT}`,
    sessionCookieName: e.SESSION_COOKIE_NAME,
    sessionCookieSecure: e.SESSION_COOKIE_SECURE ?? isProduction,
    sessionIdleTimeout: e.SESSION_IDLE_TIMEOUT,
    sessionAbsoluteTimeout: e.SESSION_ABSOLUTE_TIMEOUT,
    rememberCookieDuration: e.REMEMBER_COOKIE_DURATION,
    rememberCookieRefreshEachRequest: e.REMEMBER_COOKIE_REFRESH_EACH_REQUEST,
    freshLoginMaxAge: e.FRESH_LOGIN_MAX_AGE,
    sessionProtection: e.SESSION_PROTECTION,
    loginMessage: e.LOGIN_MESSAGE ?? null,
    loginMessageCategory: e.LOGIN_MESSAGE_CATEGORY,
    needsRefreshMessage: e.NEEDS_REFRESH_MESSAGE ?? null,
    needsRefreshMessageCategory: e.NEEDS_REFRESH_MESSAGE_CATEGORY,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    loginIpRateLimit: e.LOGIN_IP_RATE_LIMIT,
    apiRateLimit: e.API_RATE_LIMIT,
    apiIpRateLimit: e.API_IP_RATE_LIMIT,
    bcryptCost: e.BCRYPT_COST,
    registration: e.REGISTRATION,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    resetTokenMaxAge: e.RESET_TOKEN_MAX_AGE,
    emailTokenMaxAge: e.EMAIL_TOKEN_MAX_AGE,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    webConcurrency: e.WEB_CONCURRENCY ?? os.availableParallelism(),
    oidcProviders: readOidcProviders(cleaned),
    oidcRequireTotp: e.OIDC_REQUIRE_TOTP,
  };
}

const OIDC_VARIABLE = /^OIDC_([A-Z0-9_]+?)_(ISSUER|CLIENT_ID|CLIENT_SECRET|LABEL)$/;
export const GITHUB_ISSUER = "https://github.com";

/** True for an http issuer the app may talk to without TLS: only the machine itself (a provider in tests or development). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The OIDC_<ID>_ISSUER, _CLIENT_ID, _CLIENT_SECRET and _LABEL variables, read
 * per <ID> and validated together: the first three are required as soon as one
 * of the four is set; the issuer is https (http only on loopback).
 */
export function readOidcProviders(env: Env): OidcProviderConfig[] {
  const byId = new Map<string, Partial<Record<"ISSUER" | "CLIENT_ID" | "CLIENT_SECRET" | "LABEL", string>>>();
  for (const [key, value] of Object.entries(env)) {
    const match = OIDC_VARIABLE.exec(key);
    if (!match || value === undefined || value === "") continue;
    const entry = byId.get(match[1]!) ?? {};
    entry[match[2] as "ISSUER"] = value;
    byId.set(match[1]!, entry);
  }
  const problems: string[] = [];
  const providers: OidcProviderConfig[] = [];
  for (const [ID, entry] of [...byId].sort(([a], [b]) => a.localeCompare(b))) {
    const name = (suffix: string) => `OIDC_${ID}_${suffix}`;
    const before = problems.length;
    for (const suffix of ["ISSUER", "CLIENT_ID", "CLIENT_SECRET"] as const) {
      if (!entry[suffix]?.trim()) problems.push(`  ${name(suffix)}: required with the other ${name("*")} settings`);
    }
    let issuer = "";
    if (entry.ISSUER) {
      try {
        const url = new URL(entry.ISSUER);
        if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) throw new Error("scheme");
        if (url.search || url.hash) throw new Error("query");
        issuer = url.href.replace(/\/$/, "");
      } catch {
        problems.push(
          `  ${name("ISSUER")}: expected the provider's https issuer URL, e.g. https://accounts.google.com (http only on 127.0.0.1 or localhost) (got ${JSON.stringify(entry.ISSUER)})`,
        );
      }
    }
    if (entry.LABEL !== undefined && entry.LABEL.trim().length > 40) {
      problems.push(`  ${name("LABEL")}: expected a button label of at most 40 characters`);
    }
    if (problems.length > before) continue;
    providers.push({
      id: ID.toLowerCase(),
      label: entry.LABEL?.trim() || ID.toLowerCase(),
      issuer,
      clientId: entry.CLIENT_ID!.trim(),
      clientSecret: entry.CLIENT_SECRET!.trim(),
      kind: issuer === GITHUB_ISSUER ? "github" : "oidc",
    });
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  return providers;
}

const MIN_SECRET_LENGTH = 32;

/**
 * A comma-separated list of secrets (SESSION_SECRET, ENCRYPTION_KEY): the first
 * is current, the others still accepted (rotation). Outside production a missing
 * one is generated once into `fileName` in the data folder.
 */
function readSecretList(name: string, value: string | undefined, isProduction: boolean, dataDir: string, fileName: string): string[] {
  if (value !== undefined) {
    const secrets = value.split(",").map((s) => s.trim()).filter(Boolean);
    if (secrets.length === 0 || secrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
      throw new ConfigError(
        `Invalid configuration:\n  ${name}: expected one or more comma-separated secrets of at least ${MIN_SECRET_LENGTH} characters (generate one with: openssl rand -hex 32)`,
      );
    }
    return secrets;
  }
  if (isProduction) {
    throw new ConfigError(
      `Invalid configuration:\n  ${name}: required with NODE_ENV=production; expected one or more comma-separated secrets of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  const file = path.join(dataDir, fileName);
  try {
    return [fs.readFileSync(file, "utf8").trim()];
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = randomHex(32);
    // "wx": if two processes race on a fresh machine, the second one reads the first one's secret.
    try {
      fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
      return [secret];
    } catch {
      return [fs.readFileSync(file, "utf8").trim()];
    }
  }
}

/** The configuration of this process, read from the environment once (shared by the server and the Remix build). */
export function getConfig(): Config {
  return singleton("config", () => loadConfig());
}
