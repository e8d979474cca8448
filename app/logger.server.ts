import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { ConfigError, getConfig } from "~/config.server";
import { singleton } from "~/utils/singleton.server";

/**
 * Structured logs (one JSON object a line) to stdout and, with LOG_FILE, to a
 * size-rotated file; in development (NODE_ENV=development, `npm run dev`) the
 * stdout lines are made readable instead. Secrets are redacted by path, and values are
 * JSON-encoded, so CR/LF in user input cannot forge a line.
 */

export const REDACTED_PATHS = [
  "password",
  "*.password",
  "currentPassword",
  "*.currentPassword",
  "newPassword",
  "*.newPassword",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "cookie",
  "authorization",
  "headers.cookie",
  "headers.authorization",
  'headers["set-cookie"]',
  "*.headers.cookie",
  "*.headers.authorization",
  '*.headers["set-cookie"]',
];

/** Rotation of the LOG_FILE: a new file past this size (bytes), and this many old files kept. */
export const LOG_FILE_MAX_SIZE = 10 * 1024 * 1024;
export const LOG_FILE_KEEP = 5;

/** A pino logger with this app's settings, writing to `destination`. */
export function createLogger(level: string, destination: pino.DestinationStream) {
  return pino({ level, base: undefined, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, destination);
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

function readableValue(value: unknown): string {
  // Strings with spaces or control characters stay JSON-quoted, so user input cannot forge a line.
  if (typeof value === "string") return /^[^\s"\u0000-\u001f\u007f]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/**
 * A JSON log line as a person reads it in development:
 * `17:40:02 INFO  listening: open http://localhost:3000 url=http://127.0.0.1:3000 workers=1`,
 * with an error's stack indented below. Anything that is not a JSON object passes unchanged.
 */
export function readableLogLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return line;
  const { level, time, msg, err, open, ...fields } = entry as Record<string, unknown>;
  const clock = typeof time === "number" ? new Date(time).toTimeString().slice(0, 8) : "";
  const label = (LEVEL_NAMES[level as number] ?? String(level ?? "")).padEnd(5);
  const message = typeof msg === "string" ? msg : "";
  const parts = [clock, label, typeof open === "string" ? `${message}: open ${open}` : message];
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${readableValue(value)}`);
  const stack = err && typeof err === "object" ? (err as { stack?: unknown; message?: unknown }).stack ?? (err as { message?: unknown }).message : null;
  const text = parts.filter(Boolean).join(" ");
  return typeof stack === "string" ? `${text}\n${stack.replace(/^/gm, "    ")}` : text;
}

/** Standard output: JSON lines, or readable ones when NODE_ENV=development (the log file stays JSON). */
export function stdoutTarget(nodeEnv: string | undefined = process.env.NODE_ENV): { write: (line: string) => void } {
  const stdout = pino.destination(1);
  if (nodeEnv !== "development") return stdout;
  return {
    write: (chunk: string) => {
      const lines = chunk.split("\n").filter((line) => line.trim());
      stdout.write(lines.map((line) => `${readableLogLine(line)}\n`).join(""));
    },
  };
}

/**
 * Where log lines go: stdout and, with LOG_FILE, the rotating file. A server
 * worker process sends its lines to the primary instead (server/cluster.ts),
 * which writes them here, whole, so lines of several processes never mix and
 * only one process rotates the file.
 */
type LineSink = { write: (line: string) => void };
const sink = singleton("log-sink", () => {
  const targets: LineSink[] = [stdoutTarget()];
  return {
    targets,
    forward: null as ((line: string) => void) | null,
    write(line: string) {
      if (this.forward) return this.forward(line);
      for (const target of this.targets) target.write(line);
    },
  };
});

/**
 * LOG_LEVEL, or the default while the settings are invalid: the logger is made
 * when this module loads, and a bad setting must reach the start-up's one-line
 * message (server/index.ts), not end the process as a stack trace here.
 */
function configuredLevel(): string {
  try {
    return getConfig().logLevel;
  } catch (error) {
    if (error instanceof ConfigError) return "info";
    throw error;
  }
}

export const logger = singleton("logger", () => createLogger(configuredLevel(), sink));

/** Sends every log line of this process to `forward` (a worker's lines go to the primary). */
export function forwardLogLines(forward: (line: string) => void): void {
  sink.forward = forward;
}

/** Writes a line that another process logged (the primary, for its workers). */
export function writeLogLine(line: string): void {
  sink.write(line);
}

/**
 * A size-rotated log file, the way Python's RotatingFileHandler and logrotate
 * do it: lines always go to `file` itself (so `tail -F $LOG_FILE` follows the
 * log); past `size` bytes it becomes `file.1`, the older ones move up to
 * `file.<keep>` (the oldest is removed), and `file` starts anew. Lines still
 * being written when it rotates land in `file.1`, whole.
 *
 * Throws at once (a ConfigError naming LOG_FILE) when the file cannot be
 * opened for writing; a later write error (a full disk) is said on stderr and
 * does not stop the server.
 */
export function openRotatingLogFile(file: string, { size = LOG_FILE_MAX_SIZE, keep = LOG_FILE_KEEP } = {}) {
  let written: number;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.closeSync(fs.openSync(file, "a"));
    written = fs.statSync(file).size;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`Invalid configuration:\n  LOG_FILE: cannot write ${file} (${reason}); expected a path to a file this user may create and write`);
  }
  const stream = pino.destination({ dest: file, sync: false, append: true });
  stream.on("write", (bytes: number) => {
    written += bytes;
    if (written < size) return;
    written = 0;
    try {
      fs.rmSync(`${file}.${keep}`, { force: true });
      for (let n = keep - 1; n >= 1; n--) if (fs.existsSync(`${file}.${n}`)) fs.renameSync(`${file}.${n}`, `${file}.${n + 1}`);
      fs.renameSync(file, `${file}.1`);
    } catch (error) {
      process.stderr.write(`LOG_FILE: could not rotate ${file}: ${(error as Error).message}\n`);
    }
    stream.reopen();
  });
  stream.on("error", (error: Error) => process.stderr.write(`LOG_FILE: could not write ${file}: ${error.message}\n`));
  return stream;
}

const files = singleton("log-files", () => [] as ReturnType<typeof openRotatingLogFile>[]);

/** Adds the LOG_FILE to the log's destinations (at server start, in the process that writes the log). */
export async function addLogFile(file: string): Promise<void> {
  const stream = openRotatingLogFile(file);
  files.push(stream);
  sink.targets.push(stream);
}

/** Writes out what the log file still buffers (before the process exits). */
export function flushLogFiles(): void {
  for (const stream of files) {
    try {
      stream.flushSync();
    } catch {
      // not open yet, or already closed: nothing to flush
    }
  }
}
