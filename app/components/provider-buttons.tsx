import { Form } from "@remix-run/react";
import { useT } from "~/i18n/i18n";

/** "Sign in with <label>" for each configured provider; nothing when none is. Each is a full-page POST to /auth/<id>. */
export function ProviderButtons({ providers, redirectTo }: { providers: { id: string; label: string }[]; redirectTo: string }) {
  const t = useT();
  if (providers.length === 0) return null;
  return (
    <div className="provider-buttons" role="group" aria-label={t("providers.group")}>
      <p className="aside">{t("providers.or")}</p>
      {providers.map((provider) => (
        // reloadDocument: the answer is a redirect to the provider's own site.
        <Form key={provider.id} method="post" action={`/auth/${provider.id}`} reloadDocument>
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <button type="submit" className="button">
            {t("providers.signInWith", { label: provider.label })}
          </button>
        </Form>
      ))}
    </div>
  );
}
