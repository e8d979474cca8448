import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { requireAnonymous } from "~/auth/guards.server";
import { startProviderFlow } from "~/auth/oidc/flow.server";
import { requireProvider, ProviderUnavailableError } from "~/auth/oidc/providers.server";
import { parseForm, readFormData } from "~/auth/validation";
import { i18nOf } from "~/i18n/i18n.server";
import type { Translate } from "~/i18n/translate";

/** POST /auth/<id>: starts the sign-in with provider <id> (a 404 for an id that is not configured). */

const StartSchema = z.object({ redirectTo: z.string().max(2048, "oidc.returnTooLong").optional() });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireProvider(params.provider);
  await requireAnonymous({ request, context });
  return redirect("/login");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const provider = requireProvider(params.provider);
  await requireAnonymous({ request, context });
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(await readFormData(request), StartSchema, t);
  if (!parsed.success) throw new Response(Object.values(parsed.errors)[0] ?? t("form.invalidRequest"), { status: 400 });
  try {
    return await startProviderFlow(provider, { purpose: "sign_in", redirectTo: parsed.data.redirectTo ?? null });
  } catch (error) {
    if (error instanceof ProviderUnavailableError) throw providerUnavailable(provider.label, t);
    throw error;
  }
}

export function providerUnavailable(label: string, t: Translate): Response {
  return new Response(t("oidc.unavailableSignIn", { provider: label }), {
    status: 502,
    statusText: "Bad Gateway",
  });
}
