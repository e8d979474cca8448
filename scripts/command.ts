// What every shell command shares: one line of output on success, one line
// `error: …` and a non-zero exit on failure (2 for bad arguments), and the
// database and worker threads closed either way.
import { closePasswordPool } from "~/auth/password.server";
import { ConfigError } from "~/config.server";
import { closeDatabase } from "~/db.server";

/** Bad arguments: exit code 2. */
export class UsageError extends Error {}

export async function runCommand(main: (args: string[]) => Promise<string>): Promise<never> {
  let exitCode = 0;
  try {
    console.log(await main(process.argv.slice(2)));
  } catch (error) {
    exitCode = error instanceof UsageError ? 2 : 1;
    const message = error instanceof ConfigError ? error.message.replace(/\n\s*/g, " ") : error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split("\n")[0]}`);
  } finally {
    await Promise.allSettled([closeDatabase(), closePasswordPool()]);
  }
  process.exit(exitCode);
}
