import { useLocation } from "@remix-run/react";
import { useI18n } from "~/i18n/i18n";
import { LANGUAGE_NAMES, LANGUAGES } from "~/i18n/languages";

/**
 * The layout's language switch: a plain form (a full page load, with or
 * without JavaScript, so the browser fetches the new language's catalog)
 * posting to /language, which comes back to this page.
 */
export function LanguageSwitch() {
  const { language, t } = useI18n();
  const location = useLocation();
  const other = LANGUAGES.find((candidate) => candidate !== language)!;
  return (
    <form method="post" action="/language" className="inline-form language-switch" aria-label={t("layout.language")}>
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      <button type="submit" name="language" value={other} className="link-button" lang={other}>
        {LANGUAGE_NAMES[other]}
      </button>
    </form>
  );
}
