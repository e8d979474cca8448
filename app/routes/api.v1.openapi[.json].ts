import type { ActionFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "~/api/openapi.server";
import { apiJson, methodNotAllowed } from "~/api/responses.server";

/** GET /api/v1/openapi.json: the API's description, public (it holds no data). */

export async function loader() {
  return apiJson(openApiDocument());
}

export async function action({ request }: ActionFunctionArgs) {
  return methodNotAllowed(request, ["GET"]);
}
