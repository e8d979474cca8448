import { NO_SUCH_ENDPOINT, notFound } from "~/api/responses.server";

/** Any other path under /api/: a JSON 404 (not the site's HTML page), whatever the method. */

export async function loader() {
  return notFound(NO_SUCH_ENDPOINT);
}

export async function action() {
  return notFound(NO_SUCH_ENDPOINT);
}
