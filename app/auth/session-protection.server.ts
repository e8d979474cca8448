import { getConfig } from "~/config.server";
import { db, type SessionRow } from "~/db.server";
import { announce } from "~/events/events.server";
import { logger } from "~/logger.server";
import { clientNetwork } from "~/utils/ip-address";
import type { ClientInfo } from "./sessions.server";

/**
 * Flask-Login's session protection. At login the session keeps a fingerprint
 * of the client (user agent and network); a request whose fingerprint differs
 * either makes the session not fresh (`basic`: sensitive pages ask for the
 * password again, which records the new fingerprint) or ends it (`strong`).
 *
 * The identity pipeline (identity.server.ts) runs this once per request on the
 * session it has read; it writes only when the fingerprint has changed.
 */

export type ProtectionOutcome = "ok" | "made-stale" | "ended";

/**
 * The network an address belongs to, as compared by session protection:
 * IPv4 by its /24, IPv6 by its /64. Privacy addresses (RFC 8981) change the
 * last 64 bits of an IPv6 address every day or so, and carrier NAT and
 * corporate egress pools hand one browser neighbouring IPv4 addresses; a
 * thief's connection is almost always on another network altogether.
 */
export function networkOf(address: string): string {
  return clientNetwork(address, 24);
}

/** What differs between the client a session was started (or last confirmed) from and the request's. */
export function clientChanges(stored: ClientInfo, current: ClientInfo): ("user-agent" | "network")[] {
  const changes: ("user-agent" | "network")[] = [];
  if (stored.userAgent !== current.userAgent.slice(0, 512)) changes.push("user-agent");
  if (networkOf(stored.ip) !== networkOf(current.ip)) changes.push("network");
  return changes;
}

/** True when the request comes from the client the session was started (or last confirmed) from. */
export function sameClient(stored: ClientInfo, current: ClientInfo): boolean {
  return clientChanges(stored, current).length === 0;
}

/**
 * Applies SESSION_PROTECTION to a live session seen from `client`: `ok` when
 * the client is the one the session knows (or protection is off, or the
 * session is already stale), `made-stale` (basic) or `ended` (strong, the row
 * is deleted). Writes, logs and records activity only when something changed.
 */
export async function applySessionProtection(session: SessionRow, client: ClientInfo, now = Date.now()): Promise<ProtectionOutcome> {
  const mode = getConfig().sessionProtection;
  if (mode === "off") return "ok";
  const changed = clientChanges({ userAgent: session.user_agent, ip: session.ip }, client);
  if (changed.length === 0) return "ok";
  let outcome: ProtectionOutcome;
  if (mode === "strong") {
    await db.deleteFrom("sessions").where("public_id", "=", session.public_id).execute();
    outcome = "ended";
  } else {
    if (session.fresh_at === null) return "ok";
    await db.updateTable("sessions").set({ fresh_at: null }).where("public_id", "=", session.public_id).execute();
    outcome = "made-stale";
  }
  logger.warn({ userId: session.user_id, mode, ip: client.ip, userAgent: client.userAgent, changed }, "session protection: the client changed");
  await announce(
    { type: "session_protection_triggered", actorId: null, subjectId: session.user_id, details: { mode, ended: mode === "strong" } },
    { ip: client.ip, userAgent: client.userAgent },
    { now },
  );
  return outcome;
}
