// Signed-in GET /dashboard against the production build, beside the anonymous
// home page in the same run (the ratio is what to compare between machines).
//   npm run build && npm run bench:dashboard [-- --seconds 10]
import { measure, signIn, startProductionServer, table } from "./lib";

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 10;
const server = await startProductionServer();
try {
  const cookie = await signIn(server.url);
  // Warm up both paths (JIT, SQLite page cache).
  await measure("warm-up", `${server.url}/dashboard`, { seconds: 2, headers: { Cookie: cookie } });
  const home = await measure("GET / (anonymous)", `${server.url}/`, { seconds });
  const dashboard = await measure("GET /dashboard (signed in)", `${server.url}/dashboard`, { seconds, headers: { Cookie: cookie } });
  console.log(table([home, dashboard]));
  console.log(`\nsigned-in dashboard / anonymous home throughput: ${(dashboard.rps / home.rps).toFixed(2)}`);
  if (dashboard.non2xx || dashboard.errors) process.exitCode = 1;
} finally {
  await server.stop();
}
