import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { clearFlowCookie, ProviderFlowError } from "~/auth/oidc/flow.server";
import { ProviderUnavailableError, requireProvider } from "~/auth/oidc/providers.server";
import { handleProviderCallback } from "~/auth/oidc/sign-in.server";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { titleMeta, useT } from "~/i18n/i18n";
import { i18nOf } from "~/i18n/i18n.server";

/**
 * GET /auth/<id>/callback: the provider sends the browser back here (the
 * redirect URI registered there). Public: the provider's answer, checked
 * against this browser's flow, is the credential. Anything refused is a 4xx
 * page and no session.
 */

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "oidc.problemTitle")];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const provider = requireProvider(params.provider);
  try {
    return await handleProviderCallback(request, context, provider);
  } catch (error) {
    const headers = { "Set-Cookie": await clearFlowCookie(), "Cache-Control": "no-store" };
    const { t } = i18nOf({ request, context });
    if (error instanceof ProviderFlowError) return data({ error: t(error.key, error.params), label: provider.label }, { status: error.status, headers });
    if (error instanceof ProviderUnavailableError) {
      return data({ error: t("oidc.unavailable", { provider: provider.label }), label: provider.label }, { status: 502, headers });
    }
    throw error;
  }
}

export default function ProviderCallbackProblem() {
  const { error, label } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section className="card narrow" aria-labelledby="provider-problem-title">
      <h1 id="provider-problem-title">{t("oidc.didNotWork", { provider: label })}</h1>
      <p role="alert">{error}</p>
      <p>
        <Link className="button primary" to="/login">
          {t("tooMany.backToLogin")}
        </Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary />;
}
