import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { NO_SUCH_ENDPOINT, notFound } from "~/api/responses.server";
import { requireApiToken } from "~/auth/guards.server";

/**
 * Any other path under /api/, whatever the method: a JSON 404 (not the site's
 * HTML page) for a valid token; without one, the API's 401 like everywhere
 * under /api/, so the answer says nothing of which endpoints exist.
 */

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireApiToken({ request, context });
  return notFound(NO_SUCH_ENDPOINT);
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireApiToken({ request, context });
  return notFound(NO_SUCH_ENDPOINT);
}
