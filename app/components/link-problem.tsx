import { Link } from "@remix-run/react";
import { useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/translate";

export type LinkProblemKind = "invalid" | "used" | "expired" | "superseded" | "missing" | "taken";

const TEXT: Record<LinkProblemKind, { title: MessageKey; body: MessageKey }> = {
  invalid: { title: "link.invalidTitle", body: "link.invalidBody" },
  used: { title: "link.usedTitle", body: "link.usedBody" },
  expired: { title: "link.expiredTitle", body: "link.expiredBody" },
  superseded: { title: "link.supersededTitle", body: "link.supersededBody" },
  missing: { title: "link.missingTitle", body: "link.missingBody" },
  taken: { title: "link.takenTitle", body: "link.takenBody" },
};

/** The clear page for a token link that cannot be used, with the way to a new one. */
export function LinkProblem({ problem, retry }: { problem: LinkProblemKind; retry: { to: string; label: string } }) {
  const t = useT();
  const { title, body } = TEXT[problem];
  return (
    <section className="card narrow" aria-labelledby="link-problem-title">
      <h1 id="link-problem-title">{t(title)}</h1>
      <p>{t(body)}</p>
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
