// Starts the production build for the Playwright suite on a fresh, throw-away
// database in .tmp/e2e/. Builds first when build/server.js is missing.
// With E2E_DATABASE=postgres (playwright.postgres.config.ts) the database is
// PostgreSQL, on a throw-away server started here and removed at the end; its
// URL is written to .tmp/e2e-PORT/database-url for the specs.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startTestProvider } from "../tests/helpers/oidc-provider.mjs";
import { startPostgresCluster } from "../tests/helpers/postgres-cluster.mjs";

const root = path.resolve(import.meta.dirname, "..");
const port = process.env.E2E_PORT ?? "3210";
const tmp = path.join(root, `.tmp/e2e-${port}`);

fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });

if (!fs.existsSync(path.join(root, "build/server.js")) || !fs.existsSync(path.join(root, "build/index.js"))) {
  console.log("e2e: build/server.js is missing; running npm run build");
  const result = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const cluster = process.env.E2E_DATABASE === "postgres" ? await startPostgresCluster() : null;
const databaseUrl = cluster ? await cluster.createDatabase("e2e") : `file:${path.join(tmp, "app.db")}`;
fs.writeFileSync(path.join(tmp, "database-url"), databaseUrl);

// A real OpenID Connect provider on a free port of 127.0.0.1, in this process, configured as OIDC_TEST_*
// (e2e/oidc.spec.ts): any login at its development form is an account whose email is the login.
const idp = await startTestProvider({ redirectUris: [`http://127.0.0.1:${port}/auth/test/callback`], anyLogin: true });

const child = spawn(process.execPath, [path.join(root, "build/server.js")], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    PORT: port,
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: "e2e-only-session-secret-not-for-production-0123456789abcdef01234",
    // E2E_APP_HOST=localhost for the passkey spec: WebAuthn refuses an IP address as relying-party id.
    APP_ORIGIN: `http://${process.env.E2E_APP_HOST ?? "127.0.0.1"}:${port}`,
    BCRYPT_COST: "4",
    // Every browser test comes from 127.0.0.1: the per-address limit across accounts would trip on the suite itself.
    LOGIN_IP_RATE_LIMIT: "10000 per hour",
    LOG_LEVEL: "warn",
    NODE_ENV: "test",
    // The production shape on this machine: two worker processes on the one port, one SQLite file.
    WEB_CONCURRENCY: "2",
    OIDC_TEST_ISSUER: idp.issuer,
    OIDC_TEST_CLIENT_ID: idp.clientId,
    OIDC_TEST_CLIENT_SECRET: idp.clientSecret,
    OIDC_TEST_LABEL: "Test IdP",
  },
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

async function exit(code) {
  await idp.stop();
  await cluster?.stop().catch((error) => console.error("e2e: could not stop PostgreSQL:", error));
  process.exit(code);
}

child.on("exit", (code, signal) => exit(code ?? (signal ? 1 : 0)));
child.on("error", (error) => {
  console.error("e2e: could not start the server:", error);
  void exit(1);
});
