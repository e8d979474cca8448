// `npm run db:backup -- FILE`: an online, consistent snapshot of the live
// database into FILE, using SQLite's backup API (the app keeps serving).
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "~/config.server";
import { openSqlite } from "../db/connection";
import { runCommand, UsageError } from "./command";

async function main(args: string[]): Promise<string> {
  const [file, ...extra] = args;
  if (!file || file.startsWith("-")) throw new UsageError("usage: npm run db:backup -- FILE");
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (usage: npm run db:backup -- FILE)`);
  const source = getConfig().databasePath;
  const target = path.resolve(file);
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
    const result = check.pragma("integrity_check", { simple: true });
    check.close();
    if (result !== "ok") throw new Error(`the snapshot failed its integrity check: ${String(result)}`);
    const size = fs.statSync(target).size;
    return `backed up ${source} to ${target} (${(size / 1024).toFixed(0)} KiB, ${Date.now() - started} ms, integrity ok)`;
  } finally {
    sqlite.close();
  }
}

await runCommand(main);
