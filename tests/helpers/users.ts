import { randomUUID } from "node:crypto";
import { createUser } from "~/users/users.server";

export const TEST_PASSWORD = "correct-horse-battery";

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomUUID().slice(0, 12)}@example.com`;
}

export function makeUser(
  overrides: { email?: string; name?: string; password?: string; roles?: string[]; active?: boolean } = {},
) {
  return createUser({
    email: overrides.email ?? uniqueEmail(),
    name: overrides.name ?? "Test User",
    password: overrides.password ?? TEST_PASSWORD,
    roles: overrides.roles,
    active: overrides.active,
  });
}
