import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseDuration, parseRate } from "~/config.server";

const SECRET = "s".repeat(40);
const base = { SESSION_SECRET: SECRET, ENCRYPTION_KEY: "e".repeat(40) };

describe("parseDuration", () => {
  it.each([
    ["45s", 45_000],
    ["15m", 900_000],
    ["12h", 43_200_000],
    ["30d", 2_592_000_000],
    ["90", 90_000],
    [" 5m ", 300_000],
  ])("reads %j", (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(["", "abc", "10x", "-5m", "1.5h", "0", "m", "10 minutes"])("refuses %j", (input) => {
    expect(parseDuration(input)).toBeNull();
  });
});

describe("parseRate", () => {
  it("reads N per unit", () => {
    expect(parseRate("5 per minute")).toEqual({ points: 5, windowSeconds: 60 });
    expect(parseRate("100 per hour")).toEqual({ points: 100, windowSeconds: 3600 });
    expect(parseRate("1 per second")).toEqual({ points: 1, windowSeconds: 1 });
    expect(parseRate("20 per day")).toEqual({ points: 20, windowSeconds: 86400 });
  });
  it.each(["five per minute", "5 per fortnight", "0 per minute", "5", ""])("refuses %j", (input) => {
    expect(parseRate(input)).toBeNull();
  });
});

describe("loadConfig", () => {
  it("has SPEC defaults", () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      appOrigin: "http://localhost:3000",
      sessionCookieName: "__session",
      sessionCookieSecure: false,
      sessionIdleTimeout: 30 * 60_000,
      sessionAbsoluteTimeout: 12 * 3_600_000,
      rememberCookieDuration: 30 * 86_400_000,
      rememberCookieRefreshEachRequest: false,
      freshLoginMaxAge: 10 * 60_000,
      sessionProtection: "basic",
      loginMessage: null,
      loginMessageCategory: "info",
      needsRefreshMessage: null,
      needsRefreshMessageCategory: "info",
      loginRateLimit: { points: 5, windowSeconds: 60 },
      loginIpRateLimit: { points: 100, windowSeconds: 3600 },
      bcryptCost: 12,
      registration: "open",
      mailFrom: "no-reply@localhost",
      trustProxy: false,
      logLevel: "info",
    });
    expect(config.databasePath).toBe(path.resolve("data/app.db"));
    expect(config.sessionSecrets).toEqual([SECRET]);
  });

  it("runs on PostgreSQL for a postgres:// or postgresql:// DATABASE_URL, with the data folder at ./data", () => {
    for (const url of ["postgres://app:pw@db.internal:5432/auth", "postgresql://app@10.0.0.5/auth?sslmode=require"]) {
      const config = loadConfig({ ...base, DATABASE_URL: url });
      expect(config.database).toEqual({ dialect: "postgres", url });
      expect(config.databasePath).toBeNull();
      expect(config.dataDir).toBe(path.resolve("data"));
    }
    expect(loadConfig({ ...base, DATABASE_URL: "file:./x/app.db" }).database).toEqual({ dialect: "sqlite", path: path.resolve("x/app.db") });
  });

  it.each(["mysql://u:p@h/db", "postgres://u:hunter2@h", "postgres://:5432/db", "sqlite:app.db", "./data/app.db"])(
    "stops on DATABASE_URL %j, naming both accepted forms and never the password",
    (url) => {
      let message = "";
      try {
        loadConfig({ ...base, DATABASE_URL: url });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toMatch(/DATABASE_URL: expected file:PATH .* or postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE \(or postgresql:\/\/\)/);
      expect(message).not.toContain("hunter2");
    },
  );

  it("reads every duration form", () => {
    const config = loadConfig({ ...base, SESSION_IDLE_TIMEOUT: "45s", REMEMBER_COOKIE_DURATION: "7d", FRESH_LOGIN_MAX_AGE: "300" });
    expect(loadConfig({ ...base, REMEMBER_COOKIE_DURATION: "400d" }).rememberCookieDuration).toBe(400 * 86_400_000);
    expect(config.sessionIdleTimeout).toBe(45_000);
    expect(config.rememberCookieDuration).toBe(7 * 86_400_000);
    expect(config.freshLoginMaxAge).toBe(300_000);
  });

  it("reads LOGIN_IP_RATE_LIMIT like LOGIN_RATE_LIMIT", () => {
    expect(loadConfig({ ...base, LOGIN_IP_RATE_LIMIT: "30 per minute" }).loginIpRateLimit).toEqual({ points: 30, windowSeconds: 60 });
  });

  it("reads the API limits, per token and per address, with their defaults", () => {
    expect(loadConfig(base)).toMatchObject({ apiRateLimit: { points: 300, windowSeconds: 60 }, apiIpRateLimit: { points: 600, windowSeconds: 60 } });
    const config = loadConfig({ ...base, API_RATE_LIMIT: "10 per second", API_IP_RATE_LIMIT: "5000/hour" });
    expect(config.apiRateLimit).toEqual({ points: 10, windowSeconds: 1 });
    expect(config.apiIpRateLimit).toEqual({ points: 5000, windowSeconds: 3600 });
  });

  it("derives APP_ORIGIN from PORT outside production", () => {
    expect(loadConfig({ ...base, PORT: "4000" }).appOrigin).toBe("http://localhost:4000");
  });

  it("splits a secret list for rotation (first signs, all verify)", () => {
    const other = "t".repeat(40);
    expect(loadConfig({ SESSION_SECRET: `${SECRET}, ${other}` }).sessionSecrets).toEqual([SECRET, other]);
  });

  it("keeps an empty LOGIN_MESSAGE (no flash) but treats other empty values as unset", () => {
    const config = loadConfig({ ...base, LOGIN_MESSAGE: "", PORT: "" });
    expect(config.loginMessage).toBe("");
    expect(config.port).toBe(3000);
  });

  it.each([
    ["PORT", "70000", /PORT: expected a port number/],
    ["PORT", "http", /PORT: expected a port number/],
    ["SESSION_IDLE_TIMEOUT", "soon", /SESSION_IDLE_TIMEOUT: expected a duration such as 45s, 15m, 12h, 30d/],
    ["REMEMBER_COOKIE_DURATION", "-1d", /REMEMBER_COOKIE_DURATION: expected a duration/],
    ["REMEMBER_COOKIE_DURATION", "401d", /REMEMBER_COOKIE_DURATION: expected at most 400d \(browsers keep no cookie longer\)/],
    ["FRESH_LOGIN_MAX_AGE", "99999999d", /FRESH_LOGIN_MAX_AGE: expected at most 36500d/],
    ["SESSION_PROTECTION", "paranoid", /SESSION_PROTECTION: expected off, basic or strong/],
    ["REMEMBER_COOKIE_REFRESH_EACH_REQUEST", "maybe", /REMEMBER_COOKIE_REFRESH_EACH_REQUEST: expected true or false/],
    ["LOGIN_RATE_LIMIT", "lots", /LOGIN_RATE_LIMIT: expected N per second, minute, hour or day/],
    ["LOGIN_IP_RATE_LIMIT", "0 per hour", /LOGIN_IP_RATE_LIMIT: expected N per second, minute, hour or day/],
    ["API_RATE_LIMIT", "unlimited", /API_RATE_LIMIT: expected N per second, minute, hour or day, for example 300 per minute/],
    ["API_IP_RATE_LIMIT", "5 per fortnight", /API_IP_RATE_LIMIT: expected N per second, minute, hour or day/],
    ["BCRYPT_COST", "3", /BCRYPT_COST: expected a whole number from 4 to 15/],
    ["REGISTRATION", "invite", /REGISTRATION: expected open or closed/],
    ["DATABASE_URL", "postgres-ish", /DATABASE_URL: expected file:PATH/],
    ["APP_ORIGIN", "https://example.com/path", /APP_ORIGIN: expected an origin/],
    ["SMTP_URL", "mail.example.com", /SMTP_URL: expected smtp:\/\//],
    ["LOG_LEVEL", "loud", /LOG_LEVEL: expected fatal, error/],
    ["SESSION_SECRET", "short", /SESSION_SECRET: expected one or more comma-separated secrets of at least 32/],
  ])("names %s in the error for %j", (name, value, message) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(message);
  });

  it("refuses a __Host- session cookie name, and a __Secure- one without secure cookies (browsers would drop the cookies)", () => {
    expect(() => loadConfig({ ...base, SESSION_COOKIE_NAME: "__Host-session" })).toThrow(/SESSION_COOKIE_NAME: the __Host- prefix is not supported/);
    expect(() => loadConfig({ ...base, SESSION_COOKIE_NAME: "__Secure-session", SESSION_COOKIE_SECURE: "false" })).toThrow(/SESSION_COOKIE_NAME: a __Secure- name needs SESSION_COOKIE_SECURE=true/);
    expect(loadConfig({ ...base, SESSION_COOKIE_NAME: "__Secure-session", SESSION_COOKIE_SECURE: "true" }).sessionCookieName).toBe("__Secure-session");
  });

  it("lists every bad variable at once", () => {
    try {
      loadConfig({ ...base, PORT: "x", SESSION_PROTECTION: "y" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/SESSION_PROTECTION/);
    }
  });

  it("requires SESSION_SECRET, ENCRYPTION_KEY and APP_ORIGIN in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production", ENCRYPTION_KEY: SECRET, APP_ORIGIN: "https://a.example" })).toThrow(/SESSION_SECRET: required with NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: "production", SESSION_SECRET: SECRET, APP_ORIGIN: "https://a.example" })).toThrow(/ENCRYPTION_KEY: required with NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: "production", SESSION_SECRET: SECRET, ENCRYPTION_KEY: SECRET })).toThrow(/APP_ORIGIN: required/);
    const config = loadConfig({ NODE_ENV: "production", SESSION_SECRET: SECRET, ENCRYPTION_KEY: SECRET, APP_ORIGIN: "https://a.example" });
    expect(config.sessionCookieSecure).toBe(true);
    expect(config.appOrigin).toBe("https://a.example");
  });

  it("reads ENCRYPTION_KEY as a list (first encrypts, all decrypt) of keys of at least 32 characters", () => {
    const other = "k".repeat(32);
    expect(loadConfig({ ...base, ENCRYPTION_KEY: `${other}, ${SECRET}` }).encryptionKeys).toEqual([other, SECRET]);
    expect(() => loadConfig({ ...base, ENCRYPTION_KEY: `${other},short` })).toThrow(
      /ENCRYPTION_KEY: expected one or more comma-separated secrets of at least 32 characters/,
    );
  });

  it("generates an encryption key once outside production, beside the session secret and different from it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-"));
    const env = { DATABASE_URL: `file:${dir}/app.db` };
    const first = loadConfig(env);
    expect(first.encryptionKeys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(first.encryptionKeys).not.toEqual(first.sessionSecrets);
    expect(loadConfig(env).encryptionKeys).toEqual(first.encryptionKeys);
    expect(fs.readFileSync(path.join(dir, "encryption-key"), "utf8").trim()).toBe(first.encryptionKeys[0]);
    expect(fs.statSync(path.join(dir, "encryption-key")).mode & 0o777).toBe(0o600);
  });

  it("generates a secret once outside production and keeps it in the data folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-"));
    const env = { DATABASE_URL: `file:${dir}/sub/app.db` };
    const first = loadConfig(env).sessionSecrets;
    const second = loadConfig(env).sessionSecrets;
    expect(first[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toEqual(first);
    expect(fs.readFileSync(path.join(dir, "sub/session-secret"), "utf8").trim()).toBe(first[0]);
    expect(fs.statSync(path.join(dir, "sub/session-secret")).mode & 0o777).toBe(0o600);
  });
});

describe("account link lifetimes", () => {
  it("default to 1h for password reset and 24h for email confirmation", () => {
    expect(loadConfig(base)).toMatchObject({ resetTokenMaxAge: 3_600_000, emailTokenMaxAge: 86_400_000 });
  });

  it("read durations", () => {
    expect(loadConfig({ ...base, RESET_TOKEN_MAX_AGE: "15m", EMAIL_TOKEN_MAX_AGE: "2d" })).toMatchObject({
      resetTokenMaxAge: 900_000,
      emailTokenMaxAge: 2 * 86_400_000,
    });
  });

  it.each(["RESET_TOKEN_MAX_AGE", "EMAIL_TOKEN_MAX_AGE"])("names %s in the error for a bad value", (name) => {
    expect(() => loadConfig({ ...base, [name]: "forever" })).toThrow(new RegExp(`${name}: expected a duration such as 45s`));
  });
});
