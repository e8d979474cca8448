import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { getUser } from "~/auth/guards.server";
import { safeRedirect } from "~/auth/safe-redirect";
import { parseForm, readFormData } from "~/auth/validation";
import { i18nOf, languageCookie } from "~/i18n/i18n.server";
import { LANGUAGES } from "~/i18n/languages";
import { saveUserLanguage } from "~/users/users.server";

/**
 * The layout's language switch (a plain form post, so it works without
 * JavaScript): remembers the choice in a cookie, and on the user's row when
 * someone is signed in, then goes back to the page it came from (same site only).
 */
const LanguageSchema = z.object({
  language: z.enum(LANGUAGES, { message: "language.unknown" }),
  redirectTo: z.string().optional(),
});

export function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  // Open to everyone: anyone may choose a language; only a signed-in user's choice is saved on their account.
  const user = getUser({ context });
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(await readFormData(request), LanguageSchema, t);
  if (!parsed.success) throw new Response(parsed.errors.language ?? t("language.unknown"), { status: 400 });
  const { language, redirectTo } = parsed.data;
  if (user) await saveUserLanguage(user.id, language);
  return redirect(safeRedirect(redirectTo, "/"), { headers: { "Set-Cookie": languageCookie(language) } });
}
