import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";

/**
 * Benchmark plumbing: the production build in a second process on loopback,
 * with its own SQLite file, and autocannon runs bounded in time.
 */

export type BenchServer = { url: string; dbPath: string; /** The primary process (its workers are its children). */ pid: number; stop: () => Promise<void> };

export async function startProductionServer(env: Record<string, string> = {}): Promise<BenchServer> {
  if (!fs.existsSync("build/server.js")) throw new Error("run `npm run build` first");
  const dir = path.resolve(".tmp/bench", randomUUID());
  fs.mkdirSync(dir, { recursive: true });
  const dbPath = path.join(dir, "app.db");
  const child: ChildProcess = spawn(process.execPath, [path.resolve("build/server.js")], {
    // On PostgreSQL the data folder is ./data: keep it in the bench's folder.
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      APP_ORIGIN: "http://127.0.0.1",
      SESSION_SECRET: "bench-secret-0123456789abcdef0123456789abcdef",
      ENCRYPTION_KEY: "bench-encryption-key-0123456789abcdef0123456789",
      SESSION_COOKIE_SECURE: "false",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${dbPath}`,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // LOG_LEVEL=warn hides the "listening" line, so find the port by asking the OS.
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const poll = () => {
      const port = listeningPort(child.pid!);
      if (port) return resolve(`http://127.0.0.1:${port}`);
      if (Date.now() > deadline || child.exitCode !== null) return reject(new Error("server did not start"));
      setTimeout(poll, 100);
    };
    poll();
  });
  return {
    url,
    dbPath,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The TCP port a process listens on, read from /proc (Linux). */
function listeningPort(pid: number): number | null {
  try {
    const inodes = new Set(
      fs
        .readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return /socket:\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          } catch {
            return undefined;
          }
        })
        .filter(Boolean),
    );
    for (const line of fs.readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === "0A" && inodes.has(cols[9])) return parseInt(cols[1]!.split(":")[1]!, 16);
    }
  } catch {
    // process not ready yet
  }
  return null;
}

/** `cpu`: CPU milliseconds per request of the processes measured (`cpuOf`), or null when not measured. */
export type Measurement = { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number; cpu: number | null };

let clockTicks: number | undefined;

/**
 * CPU milliseconds used so far by the processes `pids` and all their
 * descendants, the ones that have exited and been waited for included (a
 * server's workers, a PostgreSQL server's backends), read from /proc (Linux).
 * Unlike latency, it hardly depends on what else the machine is running.
 */
export function cpuMsOfTrees(pids: number[]): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may hold spaces: the fields after it start after the last ")".
      const fields = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ");
      const [ppid, utime, stime, cutime, cstime] = [1, 11, 12, 13, 14].map((i) => Number(fields[i]));
      stats.set(Number(entry), { ppid: ppid!, ticks: utime! + stime! + cutime! + cstime! });
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 16; p = stats.get(p)?.ppid ?? 0, depth++) if (pids.includes(p)) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, { ticks: t }] of stats) if (inTree(pid)) ticks += t;
  return (ticks * 1000) / clockTicks;
}

export async function measure(
  name: string,
  url: string,
  {
    seconds = 10,
    connections = 10,
    headers = {},
    cpuOf,
  }: { seconds?: number; connections?: number; headers?: Record<string, string>; /** CPU ms so far of what serves `url`. */ cpuOf?: () => number } = {},
): Promise<Measurement> {
  const before = cpuOf?.();
  const result = await autocannon({ url, connections, duration: seconds, headers });
  const cpu = cpuOf && before !== undefined && result.requests.total > 0 ? (cpuOf() - before) / result.requests.total : null;
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpu,
  };
}

export function table(rows: Measurement[]): string {
  const lines = ["| case | req/s | p50 ms | p99 ms | CPU ms/request | errors | non-2xx |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"];
  for (const r of rows) lines.push(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.cpu === null ? "" : r.cpu.toFixed(2)} | ${r.errors} | ${r.non2xx} |`);
  return lines.join("\n");
}

/** Registers a user through the form and returns the session cookie. */
export async function signIn(base: string, email = `bench-${randomUUID().slice(0, 8)}@example.com`): Promise<string> {
  const response = await fetch(`${base}/register`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ name: "Bench User", email, password: "bench password 1" }),
  });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("__session="));
  if (!cookie) throw new Error(`sign-in failed: ${response.status}`);
  return cookie.split(";")[0]!;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One row from several rounds of the same case: median latencies, mean throughput, all errors. */
export function combineRounds(runs: Measurement[]): Measurement {
  return {
    name: runs[0]!.name,
    rps: Math.round(runs.reduce((sum, r) => sum + r.rps, 0) / runs.length),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    cpu: runs.some((r) => r.cpu === null) ? null : median(runs.map((r) => r.cpu!)),
  };
}

/** A page's HTML, signed in with `cookie`; anything but a 200 throws. */
export async function getPage(base: string, pathname: string, cookie: string): Promise<string> {
  const response = await fetch(new URL(pathname, base), { headers: { Cookie: cookie } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${pathname}: ${response.status}`);
  return body;
}

/** The href of the page's `rel="next"` link (the admin list's Next), unescaped; null when there is none. */
export function nextLinkPath(html: string): string | null {
  const next = /<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"/.exec(html);
  return next ? (next[1] ?? next[2]!).replaceAll("&amp;", "&") : null;
}

/** `--name N` from the command line, or `fallback`. */
export function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) || fallback : fallback;
}
