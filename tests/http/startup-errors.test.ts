import { spawn } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDatabaseUrl } from "../helpers/database";
import { TEST_ENCRYPTION_KEY, TEST_SECRET } from "../helpers/server";

/**
 * Start-up failures a person fixes themselves (a bad setting, a port in use)
 * print one line, no stack trace, and exit non-zero, in every start mode.
 */

let blocker: net.Server;
let takenPort = 0;
/** The project's database (a SQLite file or a PostgreSQL database): the same failures on either. */
let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await newDatabaseUrl();
  blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  takenPort = (blocker.address() as net.AddressInfo).port;
});
afterAll(() => {
  blocker?.close();
});

type Ended = { code: number | null; stderr: string; stdout: string };

/** Runs a start command to its end (these all fail fast) and returns what it printed. */
function run(args: string[], env: Record<string, string>): Promise<Ended> {
  const child = spawn(args[0]!, args.slice(1), {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: TEST_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr, stdout })));
}

function expectOneLine(ended: Ended, line: string) {
  expect(ended.code).toBe(1);
  expect(ended.stderr.split("\n").filter((l) => l.trim())).toEqual([line]);
  expect(`${ended.stdout}${ended.stderr}`).not.toMatch(/^\s+at /m);
}

const BANANA =
  'Invalid configuration: SESSION_IDLE_TIMEOUT: expected a duration such as 45s, 15m, 12h, 30d or a number of seconds (got "banana")';
const portTaken = () => `Cannot listen on 127.0.0.1:${takenPort}: the address is already in use. Stop the other server or choose another PORT.`;

describe.each([
  ["one process (WEB_CONCURRENCY=1)", "1"],
  ["a cluster (WEB_CONCURRENCY=2)", "2"],
])("the built server, %s", (_, workers) => {
  it("stops on a bad setting with one line naming it, exit code 1", { timeout: 30_000 }, async () => {
    expectOneLine(await run([process.execPath, "build/server.js"], { WEB_CONCURRENCY: workers, SESSION_IDLE_TIMEOUT: "banana" }), BANANA);
  });

  it("stops on a port in use with one line, exit code 1", { timeout: 30_000 }, async () => {
    expectOneLine(await run([process.execPath, "build/server.js"], { WEB_CONCURRENCY: workers, PORT: String(takenPort) }), portTaken());
  });

  it("stops on a LOG_FILE it cannot write with one line naming it, exit code 1", { timeout: 30_000 }, async () => {
    // Below a regular file: no one can create it, root included.
    const ended = await run([process.execPath, "build/server.js"], { WEB_CONCURRENCY: workers, LOG_FILE: "package.json/app.log" });
    expect(ended.code).toBe(1);
    expect(ended.stderr.split("\n").filter((l) => l.trim())).toEqual([
      expect.stringMatching(/^Invalid configuration: LOG_FILE: cannot write package\.json\/app\.log \(E[A-Z]+\); expected a path to a file/),
    ]);
  });
});

describe("a stray argument", () => {
  it.each([
    [["scripts/start.mjs", "--port=80"], 'Unexpected argument "--port=80": npm start takes none; settings come from environment variables (see README).'],
    [["scripts/start.mjs", "--dev", "x"], 'Unexpected argument "x": npm run dev takes none; settings come from environment variables (see README).'],
    [["--import", "tsx", "scripts/db-migrate.ts", "--bogus"], 'error: unexpected argument "--bogus" (usage: npm run db:migrate)'],
  ])("node %j stops with one line, exit code 2", { timeout: 30_000 }, async (args, line) => {
    const ended = await run([process.execPath, ...args], {});
    expect(ended.code).toBe(2);
    expect(ended.stderr.split("\n").filter((l) => l.trim())).toEqual([line]);
    expect(ended.stdout).toBe("");
  });
});

describe("npm run dev (scripts/start.mjs --dev)", () => {
  it("stops on a bad setting before the dev server starts, with one line, exit code 1", { timeout: 60_000 }, async () => {
    expectOneLine(await run([process.execPath, "scripts/start.mjs", "--dev"], { SESSION_IDLE_TIMEOUT: "banana" }), BANANA);
  });

  it("stops on a port in use before the dev server starts, with one line, exit code 1", { timeout: 60_000 }, async () => {
    expectOneLine(await run([process.execPath, "scripts/start.mjs", "--dev"], { PORT: String(takenPort) }), portTaken());
  });
});
