import pino from "pino";
import pinoRoll from "pino-roll";
import { getConfig } from "~/config.server";
import { singleton } from "~/utils/singleton.server";

/**
 * Structured logs (one JSON object a line) to stdout and, with LOG_FILE, to a
 * size-rotated file. Secrets are redacted by path, and values are
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

/** Rotation of the LOG_FILE: a new file past this size, and this many old files kept. */
export const LOG_FILE_MAX_SIZE = "10m";
export const LOG_FILE_KEEP = 5;

/** A pino logger with this app's settings, writing to `destination`. */
export function createLogger(level: string, destination: pino.DestinationStream) {
  return pino({ level, base: undefined, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, destination);
}

const streams = singleton("log-streams", () => pino.multistream([{ level: "trace", stream: pino.destination(1) }]));

export const logger = singleton("logger", () => createLogger(getConfig().logLevel, streams));

/** A size-rotated log file (`app.log` becomes `app.1.log`, `app.2.log`, …; the oldest are removed). */
export function openRotatingLogFile(file: string, { size = LOG_FILE_MAX_SIZE, keep = LOG_FILE_KEEP } = {}) {
  return pinoRoll({ file, size, mkdir: true, limit: { count: keep } });
}

const files = singleton("log-files", () => [] as Awaited<ReturnType<typeof openRotatingLogFile>>[]);

/** Adds the LOG_FILE to the logger's destinations (at server start). */
export async function addLogFile(file: string): Promise<void> {
  const stream = await openRotatingLogFile(file);
  files.push(stream);
  streams.add({ level: "trace", stream });
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
