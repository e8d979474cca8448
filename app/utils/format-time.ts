/** A time as "2026-01-31 14:05 UTC": the same on the server and in the browser (no hydration mismatch). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
