// Runs in a worker thread (see password.server.ts): bcrypt is pure CPU work,
// and doing it here keeps a ~300 ms hash from stalling every other request.
import bcrypt from "bcryptjs";

export function hash({ password, cost }) {
  return bcrypt.hashSync(password, cost);
}

export function verify({ password, hash }) {
  return bcrypt.compareSync(password, hash);
}
