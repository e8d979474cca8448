import { notFound } from "~/api/responses.server";

/** Any other path under /api/: a JSON 404 (not the site's HTML page), whatever the method. */

export async function loader() {
  return notFound("There is no such API endpoint; see /api/v1/openapi.json.");
}

export async function action() {
  return notFound("There is no such API endpoint; see /api/v1/openapi.json.");
}
