import { Link } from "@remix-run/react";
import { useT } from "~/i18n/i18n";

/** Newer/older links for a page of results; `params` are kept in the links (filters). */
export function Pagination({ page, hasNext, params = {} }: { page: number; hasNext: boolean; params?: Record<string, string> }) {
  const href = (target: number) => {
    const search = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== ""));
    if (target > 1) search.set("page", String(target));
    const query = search.toString();
    return query ? `?${query}` : ".";
  };
  const t = useT();
  if (page <= 1 && !hasNext) return null;
  return (
    <nav aria-label={t("pagination.pages")} className="pagination">
      {page > 1 ? (
        <Link to={href(page - 1)} rel="prev">
          {t("pagination.newer")}
        </Link>
      ) : null}
      <span>{t("pagination.page", { page })}</span>
      {hasNext ? (
        <Link to={href(page + 1)} rel="next">
          {t("pagination.older")}
        </Link>
      ) : null}
    </nav>
  );
}
