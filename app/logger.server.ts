import pino from "pino";
import { getConfig } from "~/config.server";
import { singleton } from "~/utils/singleton.server";

/**
 * Structured logs (one JSON object a line) to stdout. Secrets are redacted by
 * path, and values are JSON-encoded, so CR/LF in user input cannot forge a line.
 */
export const logger = singleton("logger", () =>
  pino({
    level: getConfig().logLevel,
    base: undefined,
    redact: {
      paths: ["password", "*.password", "currentPassword", "newPassword", "token", "*.token", "headers.cookie", "*.headers.cookie", "secret"],
      censor: "[redacted]",
    },
  }),
);
