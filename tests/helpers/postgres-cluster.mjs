// A throw-away PostgreSQL server for tests, the e2e smoke and the benchmark:
// initdb into a temp folder, pg_ctl start on a free port on 127.0.0.1 (about
// 0.6 s here), trust authentication for the superuser `postgres`, and rm -rf
// when stopped. initdb refuses to run as root: as root, the binaries run as the
// `postgres` system user (Debian's postgresql package creates it).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** The folder with initdb and pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBinDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin/initdb"))).sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length ? path.join(root, versions[0], "bin") : "";
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster; returns its admin URL (database `postgres`), `urlOf(name)`,
 * `createDatabase(name, template?)` and `stop()`. Collation C (byte order) and
 * Unicode case folding (C.UTF-8), so ILIKE finds "MÜLLER" as FTS5 does.
 */
export async function startPostgresCluster({ maxConnections = 300 } = {}) {
  const bin = postgresBinDir();
  const tool = (name) => (bin ? path.join(bin, name) : name);
  if (bin === "" && !fs.existsSync("/usr/bin/initdb")) {
    throw new Error("PostgreSQL's server binaries were not found (initdb): apt-get install postgresql, or set PG_BIN");
  }
  const asRoot = process.getuid?.() === 0;
  const run = (name, args) => {
    const [command, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", tool(name), ...args]] : [tool(name), args];
    return execFileSync(command, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: os.tmpdir() });
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-test-"));
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  try {
    run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--locale=C", "--lc-ctype=C.UTF-8", "-E", "UTF8", "-N"]);
    const options = [
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c listen_addresses=127.0.0.1",
      `-p ${port}`,
      `-k ${dir}`,
      `-c max_connections=${maxConnections}`,
    ].join(" ");
    run("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
  } catch (error) {
    const log = fs.existsSync(path.join(dir, "server.log")) ? fs.readFileSync(path.join(dir, "server.log"), "utf8") : "";
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${error.stderr?.toString() ?? error.message}\n${log}`);
  }
  const urlOf = (database) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = async (statement) => {
    const client = new pg.Client({ connectionString: urlOf("postgres") });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  let stopped = false;
  // The server's main process (its backends are its children): the bench counts their CPU.
  const pid = Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    port,
    pid,
    adminUrl: urlOf("postgres"),
    urlOf,
    /** Creates `name` (a copy of `template` when given: much faster than migrating again). */
    async createDatabase(name, template) {
      await admin(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
      return urlOf(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
