import type { ClientInfo } from "~/auth/sessions.server";
import { resolveIdentity } from "~/auth/identity.server";

/**
 * What the server hands a loader or action for `request`: the identity
 * resolved once at the boundary (as server/http.ts does), in the load context.
 * `client` is the address and user agent the server would see.
 */
export async function guardArgs(request: Request, client: ClientInfo = { userAgent: request.headers.get("User-Agent") ?? "", ip: "" }) {
  const { identity, setCookies } = await resolveIdentity({ path: new URL(request.url).pathname, headers: request.headers, client });
  return { request, context: { identity }, setCookies };
}
