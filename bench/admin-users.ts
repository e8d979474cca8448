// The admin user list at 1,000 and at 100,000 users: first page, a deep page
// (the middle of the list, reached through the app's own Next link), and a
// search, each measured against the production build with autocannon. The two
// servers run side by side and the sizes take turns in short rounds, so a busy
// machine slows both alike; each figure is the median (req/s: the mean) of the
// rounds. Goal: 100,000 users cost at most 1.5x what 1,000 users cost.
//   npm run build && npm run bench:admin-users [-- --seconds 6 --rounds 3 --connections 10]
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { createDatabase } from "../db/connection";
import { migrateToLatest } from "../db/migrate";
import { seedUsers } from "../db/seed";
import { type BenchServer, combineRounds, getPage, type Measurement, measure, nextLinkPath, numberArgument, signIn, startProductionServer, table } from "./lib";


const seconds = numberArgument("seconds", 6);
const rounds = numberArgument("rounds", 3);
const connections = numberArgument("connections", 10);
const SIZES = [1_000, 100_000];
const PAGE_SIZE = 25;
const GOAL = 1.5;

/** `goal: false` cases are reported for transparency; the goal is about the ones a user meets every day. */
type Case = { name: string; path: string; expect: string; goal: boolean };
type Target = { size: number; server: BenchServer; cookie: string; cases: Case[] };

/** A database with `size` users, one of them the admin the benchmark signs in as. */
async function prepare(size: number): Promise<Target> {
  const dbPath = path.resolve(".tmp/bench", randomUUID(), "app.db");
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const { db, sqlite } = createDatabase(dbPath);
  await migrateToLatest(db);
  const passwordHash = bcrypt.hashSync(randomBytes(16).toString("hex"), 10);
  const { ms } = await seedUsers(db, { count: size - 1, passwordHash });
  console.log(`seeded ${(size - 1).toLocaleString("en")} users in ${(ms / 1000).toFixed(1)} s`);
  // Someone in the middle of the table, looked up by the start of their email.
  const person = sqlite.prepare("SELECT email FROM users WHERE id = ?").get(Math.floor(size / 2)) as { email: string };
  const personQuery = person.email.split("@")[0]!;

  const server = await startProductionServer({ DATABASE_URL: `file:${dbPath}` });
  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const cookie = await signIn(server.url, email);
  // Promoted from outside, while signed in: the role applies at the next request.
  sqlite
    .prepare("INSERT INTO user_roles (user_id, role_id) SELECT users.id, roles.id FROM users, roles WHERE users.email = ? AND roles.name = 'admin'")
    .run(email);
  await db.destroy();

  const pages = Math.ceil(size / PAGE_SIZE);
  const middle = Math.floor(pages / 2);
  // The deep page as the app links to it: the Next link of the page before.
  const before = await getPage(server.url, `/admin/users?page=${middle - 1}`, cookie);
  const deepPath = nextLinkPath(before);
  if (!deepPath) throw new Error("no Next link on the page before the deep page");
  return {
    size,
    server,
    cookie,
    cases: [
      { name: "page 1", path: "/admin/users", expect: `Page 1 of ${pages.toLocaleString("en")}`, goal: true },
      {
        name: `deep page (${middle.toLocaleString("en")} of ${pages.toLocaleString("en")}, Next link)`,
        path: deepPath,
        expect: `Page ${middle.toLocaleString("en")} of`,
        goal: true,
      },
      { name: `search "mar" (a full page of matches)`, path: "/admin/users?q=mar", expect: "match “mar”", goal: true },
      { name: `search one person (${personQuery})`, path: `/admin/users?q=${personQuery}`, expect: "1 user matches", goal: true },
      { name: `search "garcia" (a surname)`, path: "/admin/users?q=garcia", expect: "match “garcia”", goal: false },
      { name: "deep page by number only (OFFSET)", path: `/admin/users?page=${middle}`, expect: `Page ${middle.toLocaleString("en")} of`, goal: false },
    ],
  };
}




const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(`${os.availableParallelism()} cores, load average ${load()} (a busy machine makes every figure noisier)`);
const targets: Target[] = [];
try {
  for (const size of SIZES) targets.push(await prepare(size));
  const results = new Map<number, Measurement[]>(SIZES.map((size) => [size, []]));
  const caseCount = targets[0]!.cases.length;
  for (let i = 0; i < caseCount; i++) {
    for (const target of targets) {
      const { name, path: pathname, expect } = target.cases[i]!;
      const body = await getPage(target.server.url, pathname, target.cookie);
      if (!body.includes(expect)) throw new Error(`${name} at ${target.size}: the page does not say "${expect}"`);
      await measure("warm-up", `${target.server.url}${pathname}`, { seconds: 1, connections, headers: { Cookie: target.cookie } });
    }
    const runs = new Map<number, Measurement[]>(SIZES.map((size) => [size, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const { name, path: pathname } = target.cases[i]!;
        const options = { seconds: Math.max(1, Math.round(seconds / rounds)), connections, headers: { Cookie: target.cookie } };
        runs.get(target.size)!.push(await measure(name, `${target.server.url}${pathname}`, options));
      }
    }
    for (const size of SIZES) results.get(size)!.push(combineRounds(runs.get(size)!));
  }

  for (const target of targets) {
    console.log(`\n### ${target.size.toLocaleString("en")} users\n`);
    console.log(table(results.get(target.size)!));
    for (const { name, path: pathname } of target.cases.filter((c) => c.name.startsWith("search"))) {
      const summary = /class="list-summary">([^<]*)/.exec(await getPage(target.server.url, pathname, target.cookie))?.[1];
      console.log(`- ${name}: ${summary?.trim()}`);
    }
  }

  const [small, large] = SIZES.map((size) => results.get(size)!);
  console.log(`\n### ${SIZES[1]!.toLocaleString("en")} / ${SIZES[0]!.toLocaleString("en")} users (goal: at most ${GOAL})\n`);
  console.log("| case | p50 ratio | p99 ratio | throughput ratio (small/large) | goal |");
  console.log("| --- | ---: | ---: | ---: | --- |");
  let missed = false;
  small!.forEach((s, i) => {
    const l = large![i]!;
    const p50 = l.p50 / Math.max(s.p50, 1);
    const p99 = l.p99 / Math.max(s.p99, 1);
    const rps = s.rps / Math.max(l.rps, 1);
    const counted = targets[0]!.cases[i]!.goal;
    const ok = p50 <= GOAL && rps <= GOAL;
    if (counted && !ok) missed = true;
    const goal = counted ? (ok ? "met" : "MISSED") : "(reported only)";
    const name = s.name.startsWith("search one") || s.name.startsWith("deep page (") ? s.name.replace(/\(.*\)/, "").trim() : s.name;
    console.log(`| ${name} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${rps.toFixed(2)} | ${goal} |`);
  });
  console.log(`\nload average at the end: ${load()}`);
  const failures = [...results.values()].flat().filter((r) => r.errors || r.non2xx);
  if (failures.length) console.error(`\nerrors or non-2xx answers in: ${failures.map((f) => f.name).join(", ")}`);
  if (missed || failures.length) process.exitCode = 1;
} finally {
  await Promise.all(targets.map((target) => target.server.stop()));
}
