import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

type TooManyAttemptsData = { message?: string; retryAt?: string };

/**
 * The ErrorBoundary of the routes that count tries (login, two-factor,
 * reauthentication): a 429 becomes a page that says when to try again; any
 * other error goes on to the parent boundary.
 */
export function TooManyAttemptsBoundary({ backTo = "/login", backLabel = "Back to log in" }: { backTo?: string; backLabel?: string }) {
  const error = useRouteError();
  if (!isRouteErrorResponse(error) || error.status !== 429) throw error;
  const data = (typeof error.data === "object" && error.data ? error.data : {}) as TooManyAttemptsData;
  return (
    <section className="card narrow" aria-labelledby="too-many-title">
      <h1 id="too-many-title">Too many attempts</h1>
      <p role="alert" className="flash flash-error">
        {data.message ?? "Too many attempts. Please wait a while before trying again."}
      </p>
      {data.retryAt ? (
        <p>
          You can try again after <time dateTime={data.retryAt}>{data.retryAt.slice(11, 19)} UTC</time>.
        </p>
      ) : null}
      <p>
        <Link to={backTo}>{backLabel}</Link>
      </p>
    </section>
  );
}
