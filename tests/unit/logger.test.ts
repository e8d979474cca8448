import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "~/config.server";
import { createLogger, openRotatingLogFile, readableLogLine, stdoutTarget } from "~/logger.server";

function memoryLogger() {
  const lines: string[] = [];
  let buffer = "";
  const logger = createLogger("info", {
    write(chunk: string) {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        lines.push(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
    },
  });
  return { logger, lines };
}

describe("logger", () => {
  it("redacts passwords, cookies and authorization headers", () => {
    const { logger, lines } = memoryLogger();
    logger.info(
      {
        password: "hunter2-secret",
        form: { newPassword: "n3w-secret", currentPassword: "old-secret", email: "a@example.com" },
        req: { headers: { cookie: "__session=abc.def", authorization: "Bearer tok-secret", "user-agent": "x" } },
        headers: { cookie: "__session=top.level" },
        token: "reset-token-secret",
      },
      "something",
    );
    const line = lines[0]!;
    for (const secret of ["hunter2", "n3w-secret", "old-secret", "abc.def", "tok-secret", "top.level", "reset-token"]) {
      expect(line).not.toContain(secret);
    }
    const entry = JSON.parse(line);
    expect(entry.form.email).toBe("a@example.com");
    expect(entry.req.headers["user-agent"]).toBe("x");
    expect(entry.req.headers.cookie).toBe("[redacted]");
  });

  it("keeps CR/LF in user input inside one JSON line (no forged entries)", () => {
    const { logger, lines } = memoryLogger();
    const path = '/x\r\n{"level":30,"msg":"forged admin login"}\r\n';
    logger.info({ path, method: "GET" }, "request");
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry.msg).toBe("request");
    expect(entry.path).toBe(path);
  });

  it("rotates the log file by size (app.log, app.log.1, app.log.2) and keeps a bounded number of files", async () => {
    const dir = path.resolve(".tmp/vitest/logs", randomUUID());
    const stream = openRotatingLogFile(path.join(dir, "app.log"), { size: 1024, keep: 2 });
    const logger = createLogger("info", stream);
    for (let i = 0; i < 60; i++) {
      logger.info({ i, filler: "x".repeat(100) }, "line");
      // Rotation is checked as writes complete.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    stream.flushSync();
    stream.end();
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(["app.log", "app.log.1", "app.log.2"]);
    // The newest lines are in app.log itself, the older ones in .1, then .2.
    const last = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8").trim().split("\n").at(-1)!).i as number;
    expect(last("app.log")).toBe(59);
    expect(last("app.log.1")).toBeLessThan(59);
    expect(last("app.log.2")).toBeLessThan(last("app.log.1"));
    for (const file of files) {
      expect(fs.statSync(path.join(dir, file)).size).toBeLessThan(4 * 1024);
      for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n").filter(Boolean)) {
        expect(JSON.parse(line).msg).toBe("line");
      }
    }
  });

  it("refuses a LOG_FILE it cannot write with one message naming the variable", () => {
    const dir = path.resolve(".tmp/vitest/logs", randomUUID());
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "a-file"), "");
    // A path below a regular file can be created by no one, root included.
    expect(() => openRotatingLogFile(path.join(dir, "a-file", "app.log"))).toThrow(ConfigError);
    expect(() => openRotatingLogFile(path.join(dir, "a-file", "app.log"))).toThrow(/^Invalid configuration:\n {2}LOG_FILE: cannot write .*a-file\/app\.log \(E[A-Z]+\); expected a path/);
  });
});

describe("readable logs in development", () => {
  it("shows a line as time, level, message and fields; the start-up line names the one URL to open", () => {
    const time = new Date(2030, 0, 1, 17, 40, 2).getTime();
    const listening = JSON.stringify({ level: 30, time, open: "http://localhost:3000", url: "http://127.0.0.1:3000", workers: 1, msg: "listening" });
    expect(readableLogLine(listening)).toBe("17:40:02 INFO  listening: open http://localhost:3000 url=http://127.0.0.1:3000 workers=1");
    const request = JSON.stringify({ level: 40, time, method: "POST", path: "/login", status: 429, ua: "a b\nc", msg: "request" });
    expect(readableLogLine(request)).toBe('17:40:02 WARN  request method=POST path=/login status=429 ua="a b\\nc"');
  });

  it("indents an error's stack below its line, and passes anything that is not a JSON object unchanged", () => {
    const line = readableLogLine(JSON.stringify({ level: 50, time: 0, err: { type: "Error", message: "boom", stack: "Error: boom\n    at x" }, msg: "failed" }));
    expect(line.split("\n")).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d ERROR failed$/), "    Error: boom", "        at x"]);
    expect(readableLogLine("plain text")).toBe("plain text");
    expect(readableLogLine("[1,2]")).toBe("[1,2]");
  });

  it("is used for standard output only with NODE_ENV=development: JSON in production and test", () => {
    for (const env of ["production", "test", undefined]) expect(stdoutTarget(env)).toHaveProperty("fd", 1);
    expect(stdoutTarget("development")).not.toHaveProperty("fd");
  });
});
