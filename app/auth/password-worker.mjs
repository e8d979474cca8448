// Runs in a worker thread (see password.server.ts): bcrypt is pure CPU work,
// and doing it here keeps a ~300 ms hash from stalling every other request.
import os from "node:os";
import bcrypt from "bcryptjs";

// Hashing yields to page work: this thread runs at a lower priority (nice 10;
// on Linux the priority is per thread), so a storm of logins takes only the CPU
// that pages leave idle instead of stalling signed-in pages. Where the
// platform refuses, hashing simply runs at normal priority.
try {
  os.setPriority(10);
} catch {
  // not permitted here: normal priority
}

export function hash({ password, cost }) {
  return bcrypt.hashSync(password, cost);
}

export function verify({ password, hash }) {
  return bcrypt.compareSync(password, hash);
}
