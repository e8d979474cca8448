import { type ActivityEvent, type ActivityOrigin, recordActivity } from "~/activity/activity.server";
import { db, type DB } from "~/db.server";
import { logger } from "~/logger.server";
import { singleton } from "~/utils/singleton.server";
import { ACCOUNT_EVENT_LISTENERS } from "./listeners.server";

/**
 * What happened to an account, said once where it happens, the way
 * Flask-Login sends `user_logged_in` and `user_logged_out`: the activity log
 * records every event, then listeners react: those named in
 * listeners.server.ts (the owner's notice mails, and an app's own), and any
 * added with onAccountEvent.
 */

export type AccountEvent = ActivityEvent;

/** When an event happened, and what listeners may need besides the event itself. */
export type Announcement = {
  origin: ActivityOrigin;
  now: number;
  /** The request's language: a notice's language when its recipient chose none. */
  language: string | null;
};

export type AccountEventListener = (event: AccountEvent, announcement: Announcement) => Promise<void> | void;

type Heard = { event: AccountEvent; announcement: Announcement };

// One registry per process: the server bundle and the Remix build each carry a copy of this module, and
// dev reloads evaluate it again, which replaces each named listener rather than adding it twice.
const listeners = singleton("account-event-listeners", () => new Map<string, AccountEventListener>());
for (const [name, listener] of Object.entries(ACCOUNT_EVENT_LISTENERS)) listeners.set(name, listener);
/** The events announced inside each open announcingTransaction, heard once it commits. */
const pending = singleton("account-events-pending", () => new WeakMap<DB, Heard[]>());

/** Adds (or replaces) the listener called `name` for every account event; returns the function that removes it. */
export function onAccountEvent(name: string, listener: AccountEventListener): () => void {
  listeners.set(name, listener);
  return () => listeners.get(name) === listener && listeners.delete(name);
}

/**
 * Announces an event: its record goes into the activity log, then every
 * listener hears it, in turn. The change has happened by then: a listener
 * that fails is logged and cannot undo it, nor fail the request.
 *
 * `within`, a transaction from announcingTransaction: the record is written
 * in it, to stand or fall with the change, and listeners hear the event after
 * the commit (never, if it rolls back), so none runs while the transaction
 * holds the write lock.
 */
export async function announce(
  event: AccountEvent,
  origin: ActivityOrigin = { ip: "", userAgent: "" },
  { now = Date.now(), language = null, within }: { now?: number; language?: string | null; within?: DB } = {},
): Promise<void> {
  const announcement = { origin, now, language };
  if (within) {
    const queue = pending.get(within);
    if (!queue) throw new Error("announce({ within }) takes a transaction opened by announcingTransaction()");
    await recordActivity(event, origin, now, within);
    queue.push({ event, announcement });
    return;
  }
  await recordActivity(event, origin, now);
  await tell({ event, announcement });
}

/**
 * Runs `change` in one write transaction, in which events may be announced
 * (`{ within: trx }`); their listeners hear them once it has committed.
 */
export async function announcingTransaction<T>(change: (trx: DB) => Promise<T>): Promise<T> {
  const heard: Heard[] = [];
  const result = await db.transaction().execute((trx) => {
    pending.set(trx, heard);
    return change(trx);
  });
  for (const each of heard) await tell(each);
  return result;
}

async function tell({ event, announcement }: Heard): Promise<void> {
  for (const listener of listeners.values()) {
    try {
      await listener(event, announcement);
    } catch (error) {
      logger.error({ err: error, type: event.type }, "an account event listener failed");
    }
  }
}
