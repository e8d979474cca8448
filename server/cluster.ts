import cluster, { type Worker } from "node:cluster";
import type { Server } from "node:http";
import { type Config, ConfigError } from "~/config.server";
import { flushLogFiles, forwardLogLines, logger, writeLogLine } from "~/logger.server";

/**
 * WEB_CONCURRENCY worker processes on one port (node:cluster, connections
 * handed out round-robin by the primary). The primary serves no requests and
 * never opens the database: it starts the workers, restarts one that dies,
 * writes their log lines (whole, in one place, so LOG_FILE rotates in one
 * process), names the one worker that runs housekeeping for the machine (and
 * its replacement, if it dies), and on SIGTERM lets every worker drain before
 * it exits. It loads only the settings, the logger and this module.
 */

/** Set (to "1") in the environment of the one worker that runs housekeeping. */
export const HOUSEKEEPER_ENV = "SERVER_HOUSEKEEPER";

/** A start-up failure whose message is the whole story (one line, no stack trace). */
export class StartupError extends Error {}

type WorkerMessage =
  | { type: "log"; line: string }
  | { type: "listening"; port: number }
  | { type: "fatal"; message: string };

/** A worker that dies this soon after its start is not restarted: the whole server stops (a crash loop helps nobody). */
const CRASH_LOOP_MS = 5_000;

/** The one line printed when the port cannot be taken. */
export function listenFailure(error: NodeJS.ErrnoException & { port?: number; address?: string }): string {
  const where = `${error.address ?? "the host"}:${error.port ?? "?"}`;
  return error.code === "EACCES"
    ? `Cannot listen on ${where}: permission denied. Choose another PORT or HOST.`
    : `Cannot listen on ${where}: the address is already in use. Stop the other server or choose another PORT.`;
}

/**
 * The one line a start-up failure prints: a bad setting (every problem on the
 * line) or a port that cannot be taken. Null for anything else, a real crash,
 * whose stack trace is worth printing.
 */
export function startupFailure(error: unknown): string | null {
  if (error instanceof StartupError) return error.message;
  if (error instanceof ConfigError) {
    const [head = "", ...problems] = error.message.split("\n").map((line) => line.trim()).filter(Boolean);
    return problems.length ? `${head} ${problems.join("; ")}` : head;
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === "EADDRINUSE" || code === "EACCES") return listenFailure(error as NodeJS.ErrnoException);
  return null;
}

/**
 * A worker's V8 old space is capped at WORKER_HEAP_MB unless the operator set
 * a cap (NODE_OPTIONS or the node command line). Without one, V8 sizes the
 * heap from the machine's memory (GBs here) and lets garbage pile up: a worker
 * whose live heap is ~50 MB grew past 400 MB under load, and its major GCs
 * became long pauses. Capped, it stays near 170 MB RSS at the same throughput.
 */
export const WORKER_HEAP_MB = 160;

export function workerExecArgv(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): string[] {
  const capped = [...execArgv, nodeOptions].some((arg) => arg.includes("--max-old-space-size"));
  return capped ? execArgv : [...execArgv, `--max-old-space-size=${WORKER_HEAP_MB}`];
}

export async function runPrimary(
  config: Config,
  {
    script,
    onListening,
  }: { /** The server's entry module, which each worker runs. */ script: string; onListening: (port: number) => void },
): Promise<void> {
  const started = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let housekeeper: Worker | null = null;
  let stopping = false;
  let announced = false;

  // `started` holds the workers that have not exited yet (cluster.workers may
  // still list a worker whose exit event has fired: it waits for the disconnect too).
  const stopAll = (signal: NodeJS.Signals) => {
    for (const worker of started.keys()) worker.process.kill(signal);
  };
  let finished = false;
  const exitWhenAllStopped = async (code: number) => {
    if (started.size > 0 || finished) return;
    finished = true;
    logger.info("stopped");
    flushLogFiles();
    process.exit(code);
  };
  const fail = (message: string) => {
    if (stopping) return;
    stopping = true;
    console.error(message);
    stopAll("SIGTERM");
    process.exitCode = 1;
  };

  const fork = () => {
    const keepsHouse = housekeeper === null;
    const worker = cluster.fork(keepsHouse ? { [HOUSEKEEPER_ENV]: "1" } : {});
    if (keepsHouse) housekeeper = worker;
    started.set(worker, Date.now());
    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "log") writeLogLine(message.line);
      else if (message.type === "fatal") fail(message.message);
      else if (message.type === "listening") {
        listening.add(worker);
        if (!announced && listening.size === config.webConcurrency) {
          announced = true;
          onListening(message.port);
        }
      }
    });
  };

  cluster.on("exit", (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    listening.delete(worker);
    if (worker === housekeeper) housekeeper = null;
    if (stopping) {
      void exitWhenAllStopped(process.exitCode === 1 ? 1 : 0);
      return;
    }
    if (lived < CRASH_LOOP_MS) {
      // Its own explanation (a "fatal" message: the port is taken, say) can
      // arrive just after its exit event: give it a moment to be the line printed.
      setTimeout(() => {
        fail(`A server worker stopped ${lived} ms after its start (${signal ?? `exit code ${code}`}); stopping.`);
        void exitWhenAllStopped(1);
      }, 200);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "a server worker died; starting another");
    fork();
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: started.size }, "shutting down: draining workers");
      stopAll(signal);
    });
  }

  cluster.setupPrimary({ exec: script, execArgv: workerExecArgv() });
  for (let i = 0; i < config.webConcurrency; i++) fork();
}

/**
 * A worker: its log lines go to the primary; it reports when it listens (or
 * why it cannot), and exits once it has drained.
 */
export async function runWorker(serve: (onStopped: () => Promise<void>) => Promise<Server>): Promise<void> {
  let lastSend: Promise<void> = Promise.resolve();
  const send = (message: WorkerMessage) => {
    lastSend = new Promise((resolve) => {
      if (!process.connected) return resolve();
      process.send!(message, undefined, undefined, () => resolve());
    });
  };
  forwardLogLines((line) => send({ type: "log", line }));
  let server: Server;
  try {
    server = await serve(async () => {
      await lastSend;
      process.exit(0);
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    send({ type: "fatal", message: startupFailure(failure) ?? String(failure.stack ?? failure) });
    await lastSend;
    process.exit(1);
  }
  const address = server.address();
  send({ type: "listening", port: typeof address === "object" && address ? address.port : 0 });
}
