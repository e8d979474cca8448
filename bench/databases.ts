// The same build on SQLite and on PostgreSQL, each with 100,000 users: the
// signed-in dashboard, the admin list (first page, a deep page through the
// Next link) and its searches, measured with autocannon. The two servers run
// side by side and take turns in short rounds, so a busy machine slows both
// alike; each figure is the median (req/s: the mean) of the rounds. Prints
// PostgreSQL / SQLite ratios, first of the CPU each request costs (the
// server's processes, and PostgreSQL's: what a busy machine changes least),
// then of latency and throughput. PostgreSQL is a throw-away local server
// (tests/helpers/postgres-cluster.mjs, fsync off like the tests' one).
//   npm run build && npm run bench:databases [-- --users 100000 --seconds 6 --rounds 3 --connections 10]
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { openDatabase } from "../db/connection";
import { migrateToLatest } from "../db/migrate";
import { seedUsers } from "../db/seed";
import { startPostgresCluster } from "../tests/helpers/postgres-cluster.mjs";
import { type BenchServer, combineRounds, cpuMsOfTrees, getPage, type Measurement, measure, nextLinkPath, numberArgument, signIn, startProductionServer, table } from "./lib";


const users = numberArgument("users", 100_000);
const seconds = numberArgument("seconds", 6);
const rounds = numberArgument("rounds", 3);
const connections = numberArgument("connections", 10);
const PAGE_SIZE = 25;

type Case = { name: string; path: string; expect: string };
/** `cpuPids`: the processes whose CPU serves this target (the server; on PostgreSQL its database server too). */
type Target = { label: string; server: BenchServer; cookie: string; cases: Case[]; cpuPids: number[] };


/** A database at `url` with `users` users, a production server on it, and an admin signed in. */
async function prepare(label: string, url: string, databasePids: number[] = []): Promise<Target> {
  const target = openDatabase(
    url.startsWith("file:") ? { dialect: "sqlite", path: url.slice("file:".length) } : { dialect: "postgres", url },
  );
  const { db } = target;
  await migrateToLatest(db);
  const passwordHash = bcrypt.hashSync(randomBytes(16).toString("hex"), 10);
  const { ms } = await seedUsers(db, { count: users - 1, passwordHash });
  console.log(`${label}: seeded ${(users - 1).toLocaleString("en")} users in ${(ms / 1000).toFixed(1)} s`);
  if (target.dialect === "postgres") await target.pool.query("VACUUM ANALYZE");
  // Someone in the middle of the table, looked up by the start of their email.
  const person = await db.selectFrom("users").select("email").where("id", "=", Math.floor(users / 2)).executeTakeFirstOrThrow();
  const personQuery = person.email.split("@")[0]!;

  const server = await startProductionServer({ DATABASE_URL: url });
  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const cookie = await signIn(server.url, email);
  const admin = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
  const role = await db.selectFrom("roles").select("id").where("name", "=", "admin").executeTakeFirstOrThrow();
  await db.insertInto("user_roles").values({ user_id: admin.id, role_id: role.id }).execute();
  await db.destroy();

  const pages = Math.ceil(users / PAGE_SIZE);
  const middle = Math.floor(pages / 2);
  const before = await getPage(server.url, `/admin/users?page=${middle - 1}`, cookie);
  const deepPath = nextLinkPath(before);
  if (!deepPath) throw new Error(`${label}: no Next link on the page before the deep page`);
  return {
    label,
    server,
    cookie,
    cpuPids: [server.pid, ...databasePids],
    cases: [
      { name: "GET /dashboard (signed in)", path: "/dashboard", expect: "Dashboard" },
      { name: "admin list, page 1", path: "/admin/users", expect: `Page 1 of ${pages.toLocaleString("en")}` },
      { name: "admin list, deep page (Next link)", path: deepPath, expect: `Page ${middle.toLocaleString("en")} of` },
      { name: `admin search "mar" (many matches)`, path: "/admin/users?q=mar", expect: "match “mar”" },
      { name: "admin search one person", path: `/admin/users?q=${personQuery}`, expect: "1 user matches" },
      { name: `admin search "garcia" (a surname)`, path: "/admin/users?q=garcia", expect: "match “garcia”" },
    ],
  };
}



const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(`${os.availableParallelism()} cores, load average ${load()} (a busy machine makes every figure noisier)`);
const cluster = await startPostgresCluster();
const targets: Target[] = [];
try {
  const sqliteFile = path.resolve(".tmp/bench", randomUUID(), "app.db");
  fs.mkdirSync(path.dirname(sqliteFile), { recursive: true });
  targets.push(await prepare("SQLite", `file:${sqliteFile}`));
  targets.push(await prepare("PostgreSQL", await cluster.createDatabase("bench"), [cluster.pid]));

  const results = new Map<string, Measurement[]>(targets.map((t) => [t.label, []]));
  for (let i = 0; i < targets[0]!.cases.length; i++) {
    for (const target of targets) {
      const { name, path: pathname, expect } = target.cases[i]!;
      const body = await getPage(target.server.url, pathname, target.cookie);
      if (!body.includes(expect)) throw new Error(`${name} on ${target.label}: the page does not say "${expect}"`);
      await measure("warm-up", `${target.server.url}${pathname}`, { seconds: 1, connections, headers: { Cookie: target.cookie } });
    }
    const runs = new Map<string, Measurement[]>(targets.map((t) => [t.label, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const { name, path: pathname } = target.cases[i]!;
        const options = {
          seconds: Math.max(1, Math.round(seconds / rounds)),
          connections,
          headers: { Cookie: target.cookie },
          cpuOf: () => cpuMsOfTrees(target.cpuPids),
        };
        runs.get(target.label)!.push(await measure(name, `${target.server.url}${pathname}`, options));
      }
    }
    for (const target of targets) results.get(target.label)!.push(combineRounds(runs.get(target.label)!));
  }

  for (const target of targets) {
    console.log(`\n### ${target.label}, ${users.toLocaleString("en")} users\n`);
    console.log(table(results.get(target.label)!));
  }
  const [sqlite, postgres] = targets.map((t) => results.get(t.label)!);
  console.log(`\n### PostgreSQL / SQLite, ${users.toLocaleString("en")} users\n`);
  console.log("| case | CPU per request ratio | p50 ratio | p99 ratio | throughput ratio (SQLite/PostgreSQL) |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  sqlite!.forEach((s, i) => {
    const p = postgres![i]!;
    const ratio = (a: number, b: number) => (a / Math.max(b, 1)).toFixed(2);
    const cpu = p.cpu !== null && s.cpu ? (p.cpu / s.cpu).toFixed(2) : "";
    console.log(`| ${s.name} | ${cpu} | ${ratio(p.p50, s.p50)} | ${ratio(p.p99, s.p99)} | ${ratio(s.rps, p.rps)} |`);
  });
  console.log(`\nload average at the end: ${load()}`);
  const failures = [...results.values()].flat().filter((r) => r.errors || r.non2xx);
  if (failures.length) {
    console.error(`\nerrors or non-2xx answers in: ${failures.map((f) => f.name).join(", ")}`);
    process.exitCode = 1;
  }
} finally {
  await Promise.all(targets.map((target) => target.server.stop()));
  await cluster.stop();
}
