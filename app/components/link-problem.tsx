import { Link } from "@remix-run/react";

export type LinkProblemKind = "invalid" | "used" | "expired" | "superseded" | "missing" | "taken";

const TEXT: Record<LinkProblemKind, { title: string; body: string }> = {
  invalid: {
    title: "This link is not valid",
    body: "The link may be incomplete or altered. Copy the whole link from the email, or ask for a new one.",
  },
  used: { title: "This link has already been used", body: "Each link works only once." },
  expired: { title: "This link has expired", body: "For your security, links from our emails work only for a limited time." },
  superseded: {
    title: "This link has been replaced",
    body: "A newer link was sent, or the account changed since this one was sent. Use the link in the most recent email, or ask for a new one.",
  },
  missing: { title: "Open the link from your email", body: "This page works from the link in the email we sent you." },
  taken: { title: "This address is already in use", body: "Another account now uses this email address, so it cannot be moved to yours." },
};

/** The clear page for a token link that cannot be used, with the way to a new one. */
export function LinkProblem({ problem, retry }: { problem: LinkProblemKind; retry: { to: string; label: string } }) {
  const { title, body } = TEXT[problem];
  return (
    <section className="card narrow" aria-labelledby="link-problem-title">
      <h1 id="link-problem-title">{title}</h1>
      <p>{body}</p>
      <p>
        <Link className="button primary" to={retry.to}>
          {retry.label}
        </Link>
      </p>
    </section>
  );
}

/** The HTTP status for a link problem: 400 for a bad link, 410 for one that worked once but no longer does. */
export function linkProblemStatus(problem: LinkProblemKind): number {
  return problem === "invalid" || problem === "missing" ? 400 : problem === "taken" ? 409 : 410;
}
