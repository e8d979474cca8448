export const DEFAULT_REDIRECT = "/dashboard";

/**
 * Returns `to` when it is a path on this site, else `fallback`.
 * Refused: anything with a scheme or host (`https://x`, `//x`, `/\x`,
 * `javascript:`), control characters (browsers drop tabs and newlines, so
 * `/\t/x` would become `//x`), and backslashes anywhere.
 *
 * The result is always a valid `Location` header value: characters outside
 * printable ASCII (`/✓`) come back percent-encoded (`/%E2%9C%93`), existing
 * escapes stay as they are, and what cannot be encoded (a lone surrogate)
 * falls back.
 */
export function safeRedirect(to: unknown, fallback: string = DEFAULT_REDIRECT): string {
  if (typeof to !== "string" || to.length === 0 || to.length > 2048) return fallback;
  if (!to.startsWith("/") || to.startsWith("//")) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(to)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(to);
  } catch {
    return fallback;
  }
  // `/%2F%2Fx` or `/%5Cx` would turn into `//x` once some layer decodes it.
  if (decoded.startsWith("//") || decoded.includes("\\") || /[\u0000-\u001f\u007f]/.test(decoded)) return fallback;
  const url = new URL(to, "http://localhost");
  if (url.origin !== "http://localhost") return fallback;
  try {
    return to.replace(/[^\x21-\x7e]+/gu, (run) => encodeURIComponent(run));
  } catch {
    return fallback;
  }
}

/** The path and query of a request, as a `redirectTo` value, without Remix's internal data params. */
/**
 * `to` as a row keeps it until the redirect happens (a pending login, a
 * provider sign-in): the path safeRedirect would go to, or null for what it
 * refuses, a NUL included (which PostgreSQL's text cannot hold).
 */
export function storedRedirect(to: string | null | undefined): string | null {
  const safe = safeRedirect(to, "");
  return safe === "" ? null : safe;
}

export function requestPath(request: Request): string {
  const url = new URL(request.url);
  // Filter the raw query so the rest keeps its exact encoding.
  const query = url.search
    .slice(1)
    .split("&")
    .filter((part) => part && !/^_(data|routes)(=|$)/.test(part))
    .join("&");
  const pathname = url.pathname.replace(/\.data$/, "") || "/";
  return `${pathname === "/_root" ? "/" : pathname}${query ? `?${query}` : ""}`;
}
