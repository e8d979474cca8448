import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useT } from "~/i18n/i18n";
import type { Translate } from "~/i18n/translate";

type TooManyAttemptsData = { message?: string; retryAfter?: number; retryAt?: string };

/** "45 seconds", "2 minutes", "1 hour 5 minutes", in the page's language. */
export function formatWait(t: Translate, seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return s === 1 ? t("wait.second") : t("wait.seconds", { n: s });
  const minutes = Math.ceil(s / 60);
  const inMinutes = (m: number) => (m === 1 ? t("wait.minute") : t("wait.minutes", { n: m }));
  if (minutes < 60) return inMinutes(minutes);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const inHours = hours === 1 ? t("wait.hour") : t("wait.hours", { n: hours });
  return rest ? `${inHours} ${inMinutes(rest)}` : inHours;
}

/** The 429's message, said again in the page's language from its numbers (the JSON's own message is English). */
function limitMessage(t: Translate, data: TooManyAttemptsData): string {
  if (typeof data.retryAfter !== "number" || typeof data.retryAt !== "string") return data.message ?? t("tooMany.generic");
  return t("tooMany.message", { wait: formatWait(t, data.retryAfter), clock: data.retryAt.slice(11, 19) });
}

/**
 * The ErrorBoundary of the routes that count tries (login, two-factor,
 * reauthentication): a 429 becomes a page that says when to try again.
 */
export function TooManyAttemptsBoundary({ backTo = "/login", backLabel }: { backTo?: string; backLabel?: string }) {
  const t = useT();
  const error = useRouteError();
  const limited = isRouteErrorResponse(error) && error.status === 429;
  const data = (limited && typeof error.data === "object" && error.data ? error.data : {}) as TooManyAttemptsData;
  return (
    <section className="card narrow" aria-labelledby="error-title">
      <h1 id="error-title">{limited ? t("tooMany.title") : t("error.title")}</h1>
      <p role="alert" className="flash flash-error">
        {limited ? limitMessage(t, data) : t("error.message")}
      </p>
      <p>
        <Link to={backTo}>{backLabel ?? t("tooMany.backToLogin")}</Link>
      </p>
    </section>
  );
}
