import { useEffect, useState } from "react";
import { formatLocalTime, formatTime } from "~/utils/format-time";

/**
 * A moment in the viewer's own time zone ("2026-01-31 15:05 CET"), with the
 * UTC time on hover. The server (and a browser without JavaScript) shows UTC;
 * the browser switches to its zone once the page is live, after hydration, so
 * the two renders never disagree.
 */
export function Time({ ms }: { ms: number }) {
  const utc = formatTime(ms);
  const [text, setText] = useState(utc);
  useEffect(() => setText(formatLocalTime(ms)), [ms]);
  return (
    <time dateTime={new Date(ms).toISOString()} title={utc}>
      {text}
    </time>
  );
}
