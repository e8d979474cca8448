import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userIdOf } from "../helpers/account";
import { Client, PASSWORD, registerClient, startServer, type TestServer } from "../helpers/server";

type Entry = { msg?: string; method?: string; path?: string; status?: number; ms?: number; userId?: number | null; ip?: string };

let server: TestServer;
const logDir = path.resolve(".tmp/http-logs", randomUUID());
beforeAll(async () => {
  server = await startServer({ LOG_FILE: path.join(logDir, "app.log") });
});
afterAll(async () => {
  await server?.stop();
});

/**
 * Every log line so far, parsed; fails the test on a line that starts like a
 * log entry but is not one JSON object. (Remix's own router warnings, such as
 * "No routes matched location", go to stderr as plain text.)
 */
function entries(): Entry[] {
  return server.logs
    .filter((line) => line.startsWith("{"))
    .map((line) => {
      expect(() => JSON.parse(line), line).not.toThrow();
      return JSON.parse(line) as Entry;
    });
}

async function requestLine(predicate: (entry: Entry) => boolean): Promise<Entry> {
  for (let i = 0; i < 40; i++) {
    const found = entries().find((entry) => entry.msg === "request" && predicate(entry));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no such request line");
}

describe("request log", () => {
  it("writes one line per request with method, path, status, duration, user id and address", async () => {
    const { client, email } = await registerClient(server);
    const id = await userIdOf(server, email);
    await client.get("/dashboard/notes?secret=do-not-log");
    const line = await requestLine((e) => e.path === "/dashboard/notes");
    expect(line).toMatchObject({ method: "GET", path: "/dashboard/notes", status: 200, userId: id, ip: "127.0.0.1" });
    expect(typeof line.ms).toBe("number");

    await new Client(server.url).get("/login?x=1");
    expect(await requestLine((e) => e.path === "/login" && e.method === "GET")).toMatchObject({ status: 200, userId: null });
    expect(server.logs.join("\n")).not.toContain("do-not-log");
  });

  it("cannot be forged with CR/LF in the path", async () => {
    const forged = '{"level":30,"msg":"request","method":"POST","path":"/admin","userId":1}';
    await new Client(server.url).get(`/nowhere%0d%0a${encodeURIComponent(forged)}%0a`);
    await requestLine((e) => e.status === 404);
    const all = entries();
    expect(server.logs.some((line) => line.includes("\r"))).toBe(false);
    expect(server.logs.some((line) => line.startsWith(forged))).toBe(false);
    expect(all.some((e) => e.path === "/admin")).toBe(false);
    expect(all.filter((e) => e.msg === "request" && e.status === 404).every((e) => e.path!.startsWith("/nowhere"))).toBe(true);
  });

  it("a legacy ?_data= request (any client can send one) logs no error line", async () => {
    const response = await new Client(server.url).get("/?_data=root&probe=legacy-data");
    expect(response.status).toBeLessThan(500);
    await requestLine((e) => e.path === "/" && e.method === "GET");
    const errors = server.logs.filter((line) => line.startsWith("{") && (JSON.parse(line) as { level?: number }).level! >= 50);
    expect(errors).toEqual([]);
  });

  it("never logs passwords or session cookies", async () => {
    const { client, email } = await registerClient(server);
    await new Client(server.url).post("/login", { email, password: "a-wrong-password-123" });
    await client.get("/dashboard");
    await requestLine((e) => e.path === "/dashboard");
    const text = server.logs.join("\n");
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("a-wrong-password-123");
    expect(text).not.toContain(client.cookies.get("__session")!);
  });

  it("also writes to the rotated LOG_FILE, at the path it names", async () => {
    await new Client(server.url).get("/?from=file-test");
    await requestLine((e) => e.path === "/");
    let lines: Entry[] = [];
    for (let i = 0; i < 40 && !lines.some((e) => e.path === "/"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const files = fs.existsSync(logDir) ? fs.readdirSync(logDir).filter((f) => /^app\.log(\.\d+)?$/.test(f)) : [];
      lines = files.flatMap((f) =>
        fs.readFileSync(path.join(logDir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Entry),
      );
    }
    expect(lines.some((e) => e.msg === "listening")).toBe(true);
    expect(fs.readdirSync(logDir)).toContain("app.log");
    expect(lines.find((e) => e.msg === "request" && e.path === "/")).toMatchObject({ method: "GET", status: 200 });
  });

  it("flushes the LOG_FILE at shutdown", async () => {
    const dir = path.resolve(".tmp/http-logs", randomUUID());
    const other = await startServer({ LOG_FILE: path.join(dir, "app.log") });
    await other.stop();
    const text = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("");
    expect(text).toContain('"msg":"stopped"');
  });
});
