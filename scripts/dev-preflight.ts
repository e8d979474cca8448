// `npm run dev` runs the server under `remix dev`, which keeps running when the
// server it started exits. So the two start-up failures a person fixes
// themselves are checked here first, each answered with the server's one line
// and a non-zero exit: a bad setting, and a port that is taken.
import net from "node:net";
import { getConfig } from "~/config.server";
import { startupFailure } from "../server/cluster";

try {
  const { host, port } = getConfig();
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
} catch (error) {
  console.error(startupFailure(error) ?? error);
  process.exit(1);
}
