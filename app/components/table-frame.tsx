import type { ReactNode } from "react";

/**
 * The frame of a table that may be wider than the screen (a phone, a long log
 * line): the table scrolls inside it, never the page. The frame is a labelled
 * region that takes keyboard focus, so the table can be scrolled without a
 * mouse even when it holds nothing focusable.
 */
export function TableFrame({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
