import { useNavigate } from "@remix-run/react";
import { type MouseEvent, useCallback } from "react";

/**
 * One click handler for a part of a page with many links (a table of users,
 * its sort headers and pages): its links are plain `<a href>`s, and a plain
 * click on one becomes a client-side navigation, as a `<Link>` would make it.
 * A `<Link>` runs several hooks per render; on the admin list's 32 links they
 * were ~14 % of the page's server time. Without JavaScript the links are
 * ordinary links. Use `<Link>` for a few links, or for more than an address
 * (prefetch, state, replace, a relative path).
 */
export function useLinkClicks(): (event: MouseEvent<HTMLElement>) => void {
  const navigate = useNavigate();
  return useCallback(
    (event: MouseEvent<HTMLElement>) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!(link instanceof HTMLAnchorElement) || !event.currentTarget.contains(link)) return;
      if (link.target || link.hasAttribute("download") || link.origin !== window.location.origin) return;
      event.preventDefault();
      navigate(link.pathname + link.search + link.hash);
    },
    [navigate],
  );
}
