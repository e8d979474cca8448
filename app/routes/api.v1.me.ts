import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, methodNotAllowed } from "~/api/responses.server";
import { userToJson } from "~/api/schemas";
import { requireApiScope } from "~/auth/guards.server";

/** GET /api/v1/me: the token's owner. */

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireApiScope({ request, context }, "profile:read");
  return apiJson(userToJson(user));
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireApiScope({ request, context }, "profile:read");
  return methodNotAllowed(request, ["GET"]);
}
