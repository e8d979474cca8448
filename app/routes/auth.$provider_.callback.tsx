import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { clearFlowCookie, ProviderFlowError } from "~/auth/oidc/flow.server";
import { ProviderUnavailableError, requireProvider } from "~/auth/oidc/providers.server";
import { handleProviderCallback } from "~/auth/oidc/sign-in.server";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";

/**
 * GET /auth/<id>/callback: the provider sends the browser back here (the
 * redirect URI registered there). Public: the provider's answer, checked
 * against this browser's flow, is the credential. Anything refused is a 4xx
 * page and no session.
 */

export const meta: MetaFunction = () => [{ title: "Sign-in problem · Remix Auth Kit" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const provider = requireProvider(params.provider);
  try {
    return await handleProviderCallback(request, context, provider);
  } catch (error) {
    const headers = { "Set-Cookie": await clearFlowCookie(), "Cache-Control": "no-store" };
    if (error instanceof ProviderFlowError) return data({ error: error.message, label: provider.label }, { status: error.status, headers });
    if (error instanceof ProviderUnavailableError) {
      return data({ error: `${provider.label} cannot be reached right now. Please try again later.`, label: provider.label }, { status: 502, headers });
    }
    throw error;
  }
}

export default function ProviderCallbackProblem() {
  const { error, label } = useLoaderData<typeof loader>();
  return (
    <section className="card narrow" aria-labelledby="provider-problem-title">
      <h1 id="provider-problem-title">Sign-in with {label} did not work</h1>
      <p role="alert">{error}</p>
      <p>
        <Link className="button primary" to="/login">
          Back to log in
        </Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary />;
}
