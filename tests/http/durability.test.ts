import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { Client, PASSWORD, startServer, uniqueEmail } from "../helpers/server";

/** Registers accounts from `lanes` parallel clients until stopped; returns the emails the server acknowledged. */
function registerInParallel(url: string, lanes: number) {
  const acknowledged: string[] = [];
  let running = true;
  const lane = async () => {
    while (running) {
      const email = uniqueEmail("crash");
      try {
        const response = await new Client(url).post("/register", { name: "Crash Test", email, password: PASSWORD });
        if (response.status === 302) acknowledged.push(email);
      } catch {
        return; // the server died mid-request: that write was never acknowledged
      }
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, lane));
  return {
    acknowledged,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

function backup(dbPath: string, file: string) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/db-backup.ts", file], {
    env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_URL: `file:${dbPath}`, LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
}

describe("crash safety", () => {
  it("keeps every acknowledged write and an intact file after SIGKILL during concurrent writes", async () => {
    const server = await startServer();
    const load = registerInParallel(server.url, 8);
    while (load.acknowledged.length < 40) await new Promise((r) => setTimeout(r, 20));
    // Kill without warning while requests are in flight.
    process.kill(server.pid, "SIGKILL");
    await load.stop();
    server.sql.close();

    const sql = new Database(server.dbPath);
    expect(sql.pragma("integrity_check", { simple: true })).toBe("ok");
    const stored = new Set((sql.prepare("SELECT email FROM users").all() as { email: string }[]).map((r) => r.email));
    sql.close();
    const missing = load.acknowledged.filter((email) => !stored.has(email));
    expect(load.acknowledged.length).toBeGreaterThanOrEqual(40);
    expect(missing).toEqual([]);

    // And the app starts again on that file.
    const again = await startServer({ DATABASE_URL: `file:${server.dbPath}` });
    try {
      const login = await new Client(again.url).post("/login", { email: load.acknowledged[0]!, password: PASSWORD });
      expect(login.status).toBe(302);
    } finally {
      await again.stop();
    }
  });
});

describe("npm run db:backup", () => {
  it("takes a consistent snapshot while the app serves writes, and the snapshot restores", async () => {
    const server = await startServer();
    const load = registerInParallel(server.url, 4);
    while (load.acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));
    const before = [...load.acknowledged];
    const file = path.join(path.dirname(server.dbPath), "snapshot.db");
    const result = backup(server.dbPath, file);
    await load.stop();
    await server.stop();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/integrity ok/);

    const snapshot = new Database(file, { readonly: true });
    expect(snapshot.pragma("integrity_check", { simple: true })).toBe("ok");
    const emails = new Set((snapshot.prepare("SELECT email FROM users").all() as { email: string }[]).map((r) => r.email));
    snapshot.close();
    for (const email of before) expect(emails.has(email)).toBe(true);

    // Restore = start the app on a copy of the snapshot.
    const restoredPath = path.join(path.dirname(server.dbPath), "restored.db");
    fs.copyFileSync(file, restoredPath);
    const restored = await startServer({ DATABASE_URL: `file:${restoredPath}` });
    try {
      const login = await new Client(restored.url).post("/login", { email: before[0]!, password: PASSWORD });
      expect(login.status).toBe(302);
    } finally {
      await restored.stop();
    }
  });

  it("refuses bad arguments with a one-line reason", () => {
    const dbPath = path.resolve(".tmp/none/app.db");
    const missing = spawnSync(process.execPath, ["--import", "tsx", "scripts/db-backup.ts"], { encoding: "utf8", env: { PATH: process.env.PATH, NODE_ENV: "test" } });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe("error: usage: npm run db:backup -- FILE");
    const noDb = backup(dbPath, "/tmp/x-backup.db");
    expect(noDb.status).toBe(1);
    expect(noDb.stderr.trim()).toMatch(/^error: no database at /);
  });
});

