import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { createDatabase, createPostgresDatabase, type DB } from "../../db/connection";
import { afterAll, beforeAll } from "vitest";
import { newDatabaseUrl, serverDatabase, testDialect } from "./database";
import { type SmtpSink, startSmtpSink } from "./smtp-sink";

export type TestServer = {
  url: string;
  /** The server process, for crash tests. */
  pid: number;
  /** The SQLite file ("" on PostgreSQL). */
  dbPath: string;
  /** What the server got as DATABASE_URL. */
  databaseUrl: string;
  /** A direct handle on the server's SQLite file, for arranging and checking state (SQLite only: throws on PostgreSQL). */
  sql: Database.Database;
  /** A Kysely handle on the server's database, either dialect (opened on first use, closed by stop). */
  readonly db: DB;
  logs: string[];
  /** Resolves with the server process's exit code once it has exited. */
  exited: Promise<number | null>;
  stop: () => Promise<void>;
};

function definedOnly(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)) as NodeJS.ProcessEnv;
}

export const TEST_SECRET = "http-test-secret-0123456789abcdef0123456789";
export const TEST_ENCRYPTION_KEY = "http-test-encryption-key-0123456789abcdef012";

/**
 * Starts the production build (`build/server.js`, built by `npm test` before
 * the suites) on a random port with its own database of the project's dialect
 * (a SQLite file, or on the `postgres` project a new PostgreSQL database copied
 * from the migrated template), or on an earlier server's data (`dbPath`,
 * `databaseUrl`; `sameDatabase(server)`), with the given settings.
 */
/** `env` values override the defaults; an `undefined` value leaves that variable unset. */
export async function startServer(
  env: Record<string, string | undefined> = {},
  { dbPath: existing, databaseUrl: given }: { dbPath?: string; /** A postgres:// URL: the server runs on PostgreSQL. */ databaseUrl?: string } = {},
): Promise<TestServer> {
  const databaseUrl = given ?? (existing === undefined && testDialect === "postgres" ? await newDatabaseUrl({ migrated: true }) : undefined);
  const dir = existing ? path.dirname(existing) : path.resolve(".tmp/http", randomUUID());
  fs.mkdirSync(dir, { recursive: true });
  const postgres = databaseUrl !== undefined;
  const dbPath = postgres ? "" : (existing ?? path.join(dir, "app.db"));
  const child: ChildProcess = spawn(process.execPath, [path.resolve("build/server.js")], {
    // On PostgreSQL the data folder (outbox, generated secrets) is ./data: keep it in the test's folder.
    cwd: postgres ? dir : undefined,
    env: definedOnly({
      PATH: process.env.PATH,
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl ?? `file:${dbPath}`,
      SESSION_SECRET: TEST_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      BCRYPT_COST: "4",
      LOG_LEVEL: "info",
      // One process per test server (fast to start); tests/http/cluster.test.ts runs several.
      WEB_CONCURRENCY: "1",
      ...env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join("\n")}`)), 30_000);
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === "listening" && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not JSON: keep it in the logs
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join("\n")}`));
    });
  });
  const sql = postgres
    ? new Proxy({} as Database.Database, {
        get() {
          throw new Error("server.sql is SQLite-only: use server.db on PostgreSQL");
        },
      })
    : new Database(dbPath);
  if (!postgres) sql.pragma("busy_timeout = 5000");
  let handle: { db: DB; close: () => Promise<void> } | null = null;
  const open = () => {
    if (postgres) {
      const { db } = createPostgresDatabase(databaseUrl, { poolSize: 2 });
      return { db, close: () => db.destroy() };
    }
    const { db } = createDatabase(dbPath);
    return { db, close: () => db.destroy() };
  };
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  return {
    url,
    pid: child.pid!,
    exited,
    dbPath,
    databaseUrl: databaseUrl ?? `file:${dbPath}`,
    sql,
    get db() {
      handle ??= open();
      return handle.db;
    },
    logs,
    stop: async () => {
      if (!postgres) sql.close();
      await handle?.close();
      handle = null;
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** startServer's database option for starting another server on `server`'s data (either dialect). */
export function sameDatabase(server: TestServer): { dbPath: string } | { databaseUrl: string } {
  return serverDatabase(server.databaseUrl);
}

/** A minimal browser: keeps cookies, never follows redirects. */
export class Client {
  cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(pathname: string, init: RequestInit & { form?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size && !headers.has("Cookie")) headers.set("Cookie", this.cookieHeader());
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set("Content-Type", "application/x-www-form-urlencoded");
    }
    const response = await fetch(new URL(pathname, this.base), {
      ...init,
      body,
      headers,
      method: init.method ?? (init.form ? "POST" : "GET"),
      redirect: "manual",
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const expired = /Expires=Thu, 01 Jan 1970/i.test(cookie) || /Max-Age=0\b/i.test(cookie);
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  get(pathname: string, init: RequestInit = {}) {
    return this.request(pathname, init);
  }

  post(pathname: string, form: Record<string, string>, init: RequestInit = {}) {
    return this.request(pathname, { ...init, form });
  }
}

export function uniqueEmail(prefix = "http"): string {
  return `${prefix}-${randomUUID().slice(0, 12)}@example.com`;
}

export const PASSWORD = "correct-horse-battery";

/** Registers a new account through the form and returns its client (signed in). */
export async function registerClient(server: TestServer, name = "Http User"): Promise<{ client: Client; email: string }> {
  const client = new Client(server.url);
  const email = uniqueEmail();
  const response = await client.post("/register", { name, email, password: PASSWORD });
  if (response.status !== 302) throw new Error(`register failed: ${response.status} ${await response.text()}`);
  return { client, email };
}

/** Gives an account a role directly in the server's database (as `npm run user -- set-role` would add it). */
export async function grantRole(server: TestServer, email: string, role = "admin"): Promise<void> {
  const user = await server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
  const roleRow = await server.db.selectFrom("roles").select("id").where("name", "=", role).executeTakeFirstOrThrow();
  await server.db
    .insertInto("user_roles")
    .values({ user_id: user.id, role_id: roleRow.id })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/**
 * A server whose mail goes to a real SMTP sink: both start before the file's
 * tests and stop after them; `started` receives them, e.g.
 * `useServerWithMail({ APP_ORIGIN }, (started) => ({ server, sink } = started))`.
 */
export function useServerWithMail(env: Record<string, string | undefined>, started: (running: { server: TestServer; sink: SmtpSink }) => void): void {
  let server: TestServer | undefined;
  let sink: SmtpSink | undefined;
  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startServer({ SMTP_URL: sink.url, ...env });
    started({ server, sink });
  });
  afterAll(async () => {
    await server?.stop();
    await sink?.stop();
  });
}
