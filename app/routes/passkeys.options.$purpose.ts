import type { ActionFunctionArgs } from "@remix-run/node";
import { requireAnonymous, requireAuth, requireFreshLogin } from "~/auth/guards.server";
import { requestOrigin } from "~/activity/activity.server";
import { authenticationOptions, registrationOptions } from "~/auth/passkeys.server";
import { countRequest } from "~/auth/rate-limit.server";

/**
 * The options of a WebAuthn ceremony, as JSON, for the browser's
 * navigator.credentials call (app/auth/passkey-client.ts): POST
 * /passkeys/options/login (signed out), /reauthenticate (signed in),
 * /register (a fresh login). It reads no body; each call stores one
 * single-use challenge. The response goes back as a form field to the page's
 * own action (/login, /reauthenticate, /settings/passkeys).
 */

const noStore = { "Cache-Control": "no-store" };

export async function action({ request, context, params }: ActionFunctionArgs) {
  if (params.purpose === "login") {
    await requireAnonymous({ request, context });
    // Anyone may ask, and each answer stores a challenge: counted per address (API_IP_RATE_LIMIT); over it, a JSON 429.
    await countRequest("passkey-options", { address: context.clientIp }, requestOrigin(request, context));
    return Response.json(await authenticationOptions("login", null), { headers: noStore });
  }
  if (params.purpose === "reauthenticate") {
    const { user } = await requireAuth({ request, context });
    return Response.json(await authenticationOptions("reauthenticate", user.id), { headers: noStore });
  }
  if (params.purpose === "register") {
    const { user } = await requireFreshLogin({ request, context });
    return Response.json(await registrationOptions(user), { headers: noStore });
  }
  return Response.json({ error: "There is no such passkey ceremony." }, { status: 404 });
}
