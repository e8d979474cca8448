import type { SelectQueryBuilder } from "kysely";
import type { Database } from "../../db/schema";
import { Client, type TestServer } from "./server";

/** Shared steps for the account lifecycle HTTP tests. */

/** Logs in through the form; throws unless it succeeds. */
export async function loginClient(server: TestServer, email: string, password: string): Promise<Client> {
  const client = new Client(server.url);
  const response = await client.post("/login", { email, password });
  if (response.status !== 302) throw new Error(`login failed: ${response.status}`);
  return client;
}

/** The path and query of an absolute link (mail links point at APP_ORIGIN, not at the test server). */
export function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

export type UserRow = { id: number; email: string; name: string; email_confirmed_at: number | null; password_hash: string };

export async function userByEmail(server: TestServer, email: string): Promise<UserRow | undefined> {
  return server.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export type ActivityEntry = { type: string; actor_id: number | null; subject_id: number | null; ip: string; user_agent: string; details: string };

/** The activity entries about (or by) a user, oldest first. */
export async function activityOf(server: TestServer, userId: number): Promise<ActivityEntry[]> {
  return server.db
    .selectFrom("activity")
    .select(["type", "actor_id", "subject_id", "ip", "user_agent", "details"])
    .where((eb) => eb.or([eb("actor_id", "=", userId), eb("subject_id", "=", userId)]))
    .orderBy("id")
    .execute();
}

/** Makes every session of the user not fresh, as if the password was entered long ago. */
export async function makeStale(server: TestServer, email: string): Promise<void> {
  await server.db
    .updateTable("sessions")
    .set({ fresh_at: null })
    .where("user_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email))
    .execute();
}

/** Follows one redirect and returns the page's HTML (where a flash shows). */
export async function follow(client: Client, response: Response): Promise<string> {
  const location = response.headers.get("Location");
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return (await client.get(location)).text();
}

/** True when the client's session cookie no longer signs anyone in. */
export async function isSignedOut(client: Client): Promise<boolean> {
  const response = await client.get("/dashboard");
  return response.status === 302 && (response.headers.get("Location") ?? "").startsWith("/login");
}

/** The last value of a header that may be sent more than once (Referrer-Policy: the last valid one wins). */
export function lastHeaderValue(response: Response, name: string): string | undefined {
  return response.headers.get(name)?.split(",").map((v) => v.trim()).at(-1);
}

/** The id of the account with this email (throws when there is none). */
export async function userIdOf(server: TestServer, email: string): Promise<number> {
  return (await server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
}

/** How many rows of `table` match `where` (Kysely's count, a number on either database). */
export async function countRows<T extends keyof Database>(
  server: TestServer,
  table: T,
  where: (query: SelectQueryBuilder<Database, T, object>) => SelectQueryBuilder<Database, T, object> = (query) => query,
): Promise<number> {
  const query = where(server.db.selectFrom(table as keyof Database) as unknown as SelectQueryBuilder<Database, T, object>);
  const row = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}
