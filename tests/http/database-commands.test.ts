import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { newDatabaseUrl, serverDatabase, testDialect } from "../helpers/database";
import { Client, PASSWORD, registerClient, startServer } from "../helpers/server";

/**
 * The database commands on this project's database (SQLite file or
 * PostgreSQL): migrations started by several processes at once, db:backup,
 * and a DATABASE_URL that is neither form.
 */

function command(
  script: string,
  databaseUrl: string,
  args: string[] = [],
  { PATH = process.env.PATH }: { PATH?: string } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      env: { PATH, NODE_ENV: "test", DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => resolve({ code, out: out.trim(), err: err.trim() }));
  });
}

describe(`database commands on ${testDialect}`, () => {
  it("migrates once when three processes run db:migrate on an empty database at the same moment", { timeout: 60_000 }, async () => {
    const url = await newDatabaseUrl();
    const runs = await Promise.all([1, 2, 3].map(() => command("scripts/db-migrate.ts", url)));
    expect(runs.map((r) => [r.code, r.err])).toEqual([
      [0, ""],
      [0, ""],
      [0, ""],
    ]);
    // One of them applied every migration; the others found the database up to date.
    expect(runs.filter((r) => r.out.startsWith("Applied: 0001_users_and_sessions"))).toHaveLength(1);
    expect(runs.filter((r) => r.out === "The database is up to date.")).toHaveLength(2);
  });

  it("backs up the live database with db:backup, and the backup holds its users", { timeout: 60_000 }, async () => {
    const url = await newDatabaseUrl();
    const server = await startServer({}, serverDatabase(url));
    try {
      const { email } = await registerClient(server, "Backed Up");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-"));
      const file = path.join(dir, testDialect === "postgres" ? "app.dump" : "app.db");
      const result = await command("scripts/db-backup.ts", url, [file]);
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(fs.statSync(file).size).toBeGreaterThan(0);
      if (testDialect === "postgres") {
        expect(result.out).toMatch(/with pg_dump \(custom format, .*restore with pg_restore\)$/);
        expect(result.out).not.toMatch(/postgres:\/\/[^@\s]*:[^*@\s]+@/);
        // What the dump would restore: the schema and the data, users among it.
        const listing = spawnSync("pg_restore", ["--list", file], { encoding: "utf8" });
        expect(listing.status).toBe(0);
        expect(listing.stdout).toMatch(/TABLE DATA public users /);
        const restored = spawnSync("pg_restore", ["--data-only", "--table=users", "--file=-", file], { encoding: "utf8" });
        expect(restored.stdout).toContain(email);
      } else {
        expect(result.out).toMatch(/integrity ok/);
      }
      // A second backup to the same file is refused: nothing is overwritten.
      const again = await command("scripts/db-backup.ts", url, [file]);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/exists; choose a new file name/);
      fs.rmSync(dir, { recursive: true, force: true });
      expect((await new Client(server.url).post("/login", { email, password: PASSWORD })).status).toBe(302);
    } finally {
      await server.stop();
    }
  });

  if (testDialect === "sqlite") {
    it("leaves no file behind when the snapshot is no backup (here: it fails its integrity check)", { timeout: 30_000 }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-"));
      const source = path.join(dir, "damaged.db");
      const sqlite = new Database(source);
      sqlite.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT); CREATE INDEX filler_text ON filler (text)");
      const insert = sqlite.prepare("INSERT INTO filler (text) VALUES (?)");
      for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.repeat(8));
      sqlite.close();
      // Scribbles over a page in the middle of the file: the b-tree no longer adds up.
      const fd = fs.openSync(source, "r+");
      fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(fs.statSync(source).size / 8192) * 4096);
      fs.closeSync(fd);
      const file = path.join(dir, "app.db");
      const result = await command("scripts/db-backup.ts", `file:${source}`, [file]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/^error: (the snapshot failed its integrity check|database disk image is malformed)/);
      expect(fs.readdirSync(dir)).not.toContain("app.db");
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  if (testDialect === "postgres") {
    it("says how to back up when pg_dump is not installed, with the exact command and without the password", { timeout: 30_000 }, async () => {
      const url = new URL(await newDatabaseUrl());
      url.password = "hunter2";
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "backup-")), "app.dump");
      const result = await command("scripts/db-backup.ts", url.href, [file], { PATH: fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-")) });
      expect(result.code).toBe(1);
      expect(result.err.split("\n")).toHaveLength(1);
      expect(result.err).toMatch(/pg_dump was not found on PATH: install .*apt-get install postgresql-client.* or run pg_dump --format=custom --file=".*app\.dump" --dbname="postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/t_\w+"/);
      expect(result.err).not.toContain("hunter2");
      expect(fs.existsSync(file)).toBe(false);
    });
  }

  it.each(["mysql://app:hunter2@db/app", "postgres://app:hunter2@db", "app.db"])(
    "refuses to start on DATABASE_URL=%j with a message naming the variable and the accepted forms",
    (url) => {
      const result = spawnSync(process.execPath, [path.resolve("build/server.js")], {
        env: { PATH: process.env.PATH, NODE_ENV: "test", PORT: "0", DATABASE_URL: url, SESSION_SECRET: "x".repeat(40), ENCRYPTION_KEY: "y".repeat(40) },
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/DATABASE_URL: expected file:PATH .* or postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE \(or postgresql:\/\/\)/);
      expect(result.stderr).not.toContain("hunter2");
    },
  );

  it("stops with one line, without the password, when the PostgreSQL server cannot be reached", () => {
    const result = spawnSync(process.execPath, [path.resolve("build/server.js")], {
      cwd: fs.mkdtempSync(path.join(os.tmpdir(), "unreachable-")),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        PORT: "0",
        DATABASE_URL: "postgres://app:hunter2@127.0.0.1:1/app",
        SESSION_SECRET: "x".repeat(40),
        ENCRYPTION_KEY: "y".repeat(40),
      },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe("Cannot use the database at DATABASE_URL=postgres://app:***@127.0.0.1:1/app: connect ECONNREFUSED 127.0.0.1:1");
  });
});
