// `npm run db:backup -- FILE`: an online, consistent snapshot of the live
// database into FILE, using SQLite's backup API (the app keeps serving); on
// PostgreSQL, pg_dump's custom format (restore with pg_restore).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { getConfig, redactPassword } from "~/config.server";
import { openSqlite } from "../db/connection";
import { runCommand, UsageError } from "./command";

async function main(args: string[]): Promise<string> {
  const [file, ...extra] = args;
  if (!file || file.startsWith("-")) throw new UsageError("usage: npm run db:backup -- FILE");
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (usage: npm run db:backup -- FILE)`);
  const { database } = getConfig();
  const target = path.resolve(file);
  if (database.dialect === "postgres") return dumpPostgres(database.url, target);
  const source = database.path;
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (target === source) throw new Error("FILE must not be the live database");
  if (fs.existsSync(target)) throw new Error(`${target} exists; choose a new file name`);
  if (!fs.existsSync(path.dirname(target))) throw new Error(`no folder ${path.dirname(target)}`);
  const sqlite = openSqlite(source);
  try {
    const started = Date.now();
    // Copies in steps of 1000 pages so the app's writers are never blocked for long;
    // SQLite restarts the copy if a step sees a write, so the result is one consistent moment.
    await sqlite.backup(target, { progress: () => 1000 });
    const check = new (sqlite.constructor as typeof import("better-sqlite3"))(target, { readonly: true });
    let result: unknown;
    try {
      result = check.pragma("integrity_check", { simple: true });
    } finally {
      check.close();
    }
    if (result !== "ok") throw new Error(`the snapshot failed its integrity check: ${String(result)}`);
    const size = fs.statSync(target).size;
    return `backed up ${source} to ${target} (${(size / 1024).toFixed(0)} KiB, ${Date.now() - started} ms, integrity ok)`;
  } catch (error) {
    // A copy cut short (a full disk) or one that fails its check is no backup: nothing is left to mistake for one.
    for (const leftover of [target, `${target}-journal`, `${target}-wal`, `${target}-shm`]) fs.rmSync(leftover, { force: true });
    throw error;
  } finally {
    sqlite.close();
  }
}

/**
 * pg_dump takes a consistent snapshot while the app keeps serving. The password
 * travels in PGPASSWORD, not on the command line (where `ps` would show it).
 */
function dumpPostgres(url: string, target: string): string {
  if (fs.existsSync(target)) throw new Error(`${target} exists; choose a new file name`);
  if (!fs.existsSync(path.dirname(target))) throw new Error(`no folder ${path.dirname(target)}`);
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  const how = `pg_dump --format=custom --file=${JSON.stringify(target)} --dbname=${JSON.stringify(redactPassword(url))} (password in PGPASSWORD; restore with pg_restore)`;
  const started = Date.now();
  const result = spawnSync("pg_dump", ["--format=custom", `--file=${target}`, `--dbname=${parsed.href}`], {
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
    encoding: "utf8",
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error(`pg_dump was not found on PATH: install the PostgreSQL client tools of the server's version (Debian: apt-get install postgresql-client) and run this again, or run ${how}`);
  }
  if (result.status !== 0) {
    fs.rmSync(target, { force: true });
    const reason = (result.stderr || String(result.error ?? `exit ${result.status}`)).trim().split("\n")[0];
    throw new Error(`pg_dump failed: ${reason}; the command was ${how}`);
  }
  const size = fs.statSync(target).size;
  return `backed up ${redactPassword(url)} to ${target} with pg_dump (custom format, ${(size / 1024).toFixed(0)} KiB, ${Date.now() - started} ms; restore with pg_restore)`;
}

await runCommand(main);
