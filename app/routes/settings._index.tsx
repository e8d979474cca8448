import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { noFormHere, requireUser } from "~/auth/guards.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser({ request, context });
  throw redirect("/settings/profile");
}

// No form here; the action runs the guard anyway, so a visitor's POST goes to log in like a GET (not Remix's bare 405).
export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser({ request, context });
  throw noFormHere();
}

// Never shown (the loader always redirects); it makes /settings a page, so a POST gets the 405 page, not a bare text.
export default function SettingsIndex() {
  return null;
}
