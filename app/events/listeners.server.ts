import type { AccountEventListener } from "./events.server";
import { sendNotices } from "./notices.server";

/**
 * Who hears every account event after the activity log has recorded it
 * (app/events/events.server.ts), by name, in this order. Add your own here (a
 * webhook, a metric, a security team's feed): it then hears the events of
 * the server, of the Remix build and of the command line alike.
 */
export const ACCOUNT_EVENT_LISTENERS: Record<string, AccountEventListener> = {
  notices: sendNotices,
};
