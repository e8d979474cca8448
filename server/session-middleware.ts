import type { RequestHandler } from "express";
import { readSessionIdFromCookie, clearSessionCookie, serializeSessionCookie } from "~/auth/session-cookie.server";
import { protectSession } from "~/auth/session-protection.server";
import { getConfig } from "~/config.server";

/**
 * Runs before Remix for every page and data request that carries a session
 * cookie: applies SESSION_PROTECTION (basic: the session is no longer fresh;
 * strong: it is deleted and its cookie cleared), slides the remember-me
 * cookie with REMEMBER_COOKIE_REFRESH_EACH_REQUEST, and tells the request log
 * who is signed in (`res.locals.userId`). One read by primary key; anonymous
 * requests cost nothing.
 */
export function sessionMiddleware(): RequestHandler {
  return async (req, res, next) => {
    try {
      const sid = await readSessionIdFromCookie(req.headers.cookie);
      if (!sid) return next();
      const client = { userAgent: req.get("User-Agent") ?? "", ip: req.ip ?? req.socket.remoteAddress ?? "" };
      const session = await protectSession(sid, client);
      if (!session) return next();
      if (session.outcome === "ended") {
        res.append("Set-Cookie", await clearSessionCookie());
        return next();
      }
      res.locals.userId = session.userId;
      if (session.remember && getConfig().rememberCookieRefreshEachRequest) {
        // Remix's own Set-Cookie (login, logout, reauthentication) comes later in the response and wins.
        res.append("Set-Cookie", await serializeSessionCookie(sid, true));
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
