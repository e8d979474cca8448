import { execFileSync } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerClient, startServer, type TestServer } from "../helpers/server";

/** The worker processes of a server (the primary's children). */
function workersOf(server: TestServer): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(server.pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => Number(line.trim()))
      .filter(Boolean);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

type LogEntry = Record<string, unknown> & { msg?: string };
const entries = (server: TestServer): LogEntry[] =>
  server.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogEntry];
    } catch {
      return [];
    }
  });

async function until<T>(check: () => T | undefined | false, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("WEB_CONCURRENCY=2: worker processes on one port", () => {
  let server: TestServer;
  let startedAt = 0;
  beforeAll(async () => {
    server = await startServer({ WEB_CONCURRENCY: "2", LOG_LEVEL: "debug" });
    startedAt = Date.now();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("announces itself once all workers listen, and runs housekeeping once, in one worker", async () => {
    const workers = workersOf(server);
    expect(workers).toHaveLength(2);
    for (const pid of workers) expect(execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" })).toContain("--max-old-space-size=160");
    const listening = entries(server).filter((e) => e.msg === "listening");
    expect(listening).toHaveLength(1);
    expect(listening[0]).toMatchObject({ workers: 2 });
    const housekeeping = await until(() => entries(server).filter((e) => e.msg === "housekeeping").length > 0 && entries(server).filter((e) => e.msg === "housekeeping"), "housekeeping");
    expect(housekeeping).toHaveLength(1);
    expect(workers).toContain(housekeeping[0]!.pid);
  });

  it("serves a session on every worker (sessions live in the database), and each worker's log lines reach stdout whole", async () => {
    const { client } = await registerClient(server, "Cluster User");
    const statuses = await Promise.all(
      Array.from({ length: 24 }, () => client.get("/dashboard", { headers: { Connection: "close" } }).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    const served = await until(() => {
      const workers = new Set(entries(server).filter((e) => e.msg === "request" && e.path === "/dashboard").map((e) => e.worker));
      return workers.size === 2 && workers;
    }, "requests from both workers");
    expect([...served].every((id) => typeof id === "number")).toBe(true);
    // Every stdout line is one JSON object: lines of two processes never interleave.
    expect(server.logs.filter((line) => line.trim() && !line.startsWith("{"))).toEqual([]);
  });

  it("replaces a worker that dies, and keeps serving; the housekeeper's replacement keeps house", { timeout: 60_000 }, async () => {
    // A worker dying within 5 s of its start counts as a crash loop (next test file): wait that out.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 5_500 - Date.now())));
    const housekeeping = () => entries(server).filter((e) => e.msg === "housekeeping");
    const victim = (await until(() => housekeeping()[0], "housekeeping")).pid as number;
    process.kill(victim!, "SIGKILL");
    const replaced = await until(() => {
      const now = workersOf(server);
      return now.length === 2 && !now.includes(victim!) && now;
    }, `a replacement worker:\n${server.logs.join("\n")}`);
    expect(replaced).toHaveLength(2);
    await until(() => entries(server).some((e) => e.msg === "a server worker died; starting another"), "the log line of the death");
    const newHousekeeper = await until(() => housekeeping().find((e) => e.pid !== victim), "housekeeping in the replacement");
    expect(replaced).toContain(newHousekeeper.pid);
    // The replacement listens too: new connections keep being answered.
    for (let i = 0; i < 6; i++) expect((await fetch(`${server.url}/login`, { headers: { Connection: "close" } })).status).toBe(200);
  });

  it("drains every worker on SIGTERM and exits 0", async () => {
    const workers = workersOf(server);
    process.kill(server.pid, "SIGTERM");
    expect(await server.exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
    expect(entries(server).filter((e) => e.msg === "stopped")).toHaveLength(1);
  });
});

describe("WEB_CONCURRENCY=2 without NODE_ENV (as `npm start` on a fresh machine)", () => {
  it("starts: the workers read their settings under the same rules as the primary", async () => {
    // Without NODE_ENV, APP_ORIGIN is not required; had the workers inherited
    // the primary's NODE_ENV=production, each would stop on a missing APP_ORIGIN.
    const server = await startServer({ WEB_CONCURRENCY: "2", NODE_ENV: undefined });
    try {
      expect(workersOf(server)).toHaveLength(2);
      expect((await fetch(`${server.url}/login`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe("WEB_CONCURRENCY=2: failing workers", () => {
  it("stops with one clear line, exit code 1, when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const failure = await startServer({ WEB_CONCURRENCY: "2", PORT: String(port) }).then(
        async (server) => {
          await server.stop();
          return "started";
        },
        (error: Error) => error.message,
      );
      expect(failure).toContain("server exited with 1");
      expect(failure).toContain(`Cannot listen on 127.0.0.1:${port}: the address is already in use.`);
    } finally {
      blocker.close();
    }
  });
});

describe("worker heap", () => {
  it("caps each worker's old space unless the operator chose a cap", async () => {
    const { workerExecArgv, WORKER_HEAP_MB } = await import("../../server/cluster");
    expect(workerExecArgv([], "")).toEqual([`--max-old-space-size=${WORKER_HEAP_MB}`]);
    expect(workerExecArgv(["--enable-source-maps"], "")).toEqual(["--enable-source-maps", `--max-old-space-size=${WORKER_HEAP_MB}`]);
    expect(workerExecArgv([], "--max-old-space-size=512")).toEqual([]);
    expect(workerExecArgv(["--max-old-space-size=64"], "")).toEqual(["--max-old-space-size=64"]);
  });
});
