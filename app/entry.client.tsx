import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { loadCatalog, registerCatalog } from "~/i18n/i18n";
import { DEFAULT_LANGUAGE, isLanguage } from "~/i18n/languages";

// Only the page's language is downloaded (its catalog is a chunk of its own), before hydration needs it.
const lang = document.documentElement.lang;
const language = isLanguage(lang) ? lang : DEFAULT_LANGUAGE;

void loadCatalog(language).then((catalog) => {
  registerCatalog(language, catalog);
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  });
});
