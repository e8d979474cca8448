import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

type TooManyAttemptsData = { message?: string };

/**
 * The ErrorBoundary of the routes that count tries (login, two-factor,
 * reauthentication): a 429 becomes a page that says when to try again.
 */
export function TooManyAttemptsBoundary({ backTo = "/login", backLabel = "Back to log in" }: { backTo?: string; backLabel?: string }) {
  const error = useRouteError();
  const limited = isRouteErrorResponse(error) && error.status === 429;
  const data = (limited && typeof error.data === "object" && error.data ? error.data : {}) as TooManyAttemptsData;
  return (
    <section className="card narrow" aria-labelledby="error-title">
      <h1 id="error-title">{limited ? "Too many attempts" : "Something went wrong"}</h1>
      <p role="alert" className="flash flash-error">
        {limited
          ? (data.message ?? "Too many attempts. Please wait a while before trying again.")
          : "An unexpected error occurred. Please try again."}
      </p>
      <p>
        <Link to={backTo}>{backLabel}</Link>
      </p>
    </section>
  );
}
