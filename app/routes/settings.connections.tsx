import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { requireFreshLogin, requireUser } from "~/auth/guards.server";
import { startProviderFlow } from "~/auth/oidc/flow.server";
import { listIdentities, unlinkIdentity } from "~/auth/oidc/identities.server";
import { LastSignInMethodError } from "~/auth/ways-in.server";
import { findProvider, listProviders, providerLabel, ProviderUnavailableError } from "~/auth/oidc/providers.server";
import { hasPassword } from "~/auth/password.server";
import { parseForm, readFormData } from "~/auth/validation";
import { FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { findUserById } from "~/users/users.server";
import { formatTime } from "~/utils/format-time";
import { rowId } from "~/utils/row-id";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";

/** /settings/connections: the sign-in providers linked to the account; adding or removing one needs a fresh login. */

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "settings.connections")];

const ConnectionsSchema = z.object({
  intent: z.enum(["link", "unlink"], { message: "form.unknownAction" }),
  provider: z.string().trim().max(64, "reauth.unknownProvider").optional(),
  identityId: rowId("connections.unknown").optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  const [identities, account] = await Promise.all([listIdentities(user.id), findUserById(user.id)]);
  return {
    hasPassword: account ? hasPassword(account) : false,
    connections: identities.map((identity) => ({
      id: identity.id,
      label: providerLabel(identity.provider),
      email: identity.email,
      createdAt: identity.created_at,
      lastUsedAt: identity.last_used_at,
    })),
    providers: listProviders().map(({ id, label }) => ({ id, label, linked: identities.some((identity) => identity.provider === id) })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(await readFormData(request), ConnectionsSchema, t);
  if (!parsed.success) return data({ error: Object.values(parsed.errors)[0] ?? t("form.invalidRequest") }, { status: 400 });
  if (parsed.data.intent === "link") {
    const provider = findProvider(parsed.data.provider ?? "");
    if (!provider) return data({ error: t("reauth.unknownProvider") }, { status: 400 });
    try {
      return await startProviderFlow(provider, { purpose: "link", userId: user.id });
    } catch (error) {
      if (error instanceof ProviderUnavailableError) return data({ error: t("oidc.unavailable", { provider: provider.label }) }, { status: 502 });
      throw error;
    }
  }
  if (!parsed.data.identityId) return data({ error: t("connections.choose") }, { status: 400 });
  try {
    const removed = await unlinkIdentity(user.id, parsed.data.identityId, { userId: user.id, origin: requestOrigin(request, context) }, { keepOneWayIn: true });
    if (!removed) return data({ error: t("connections.noSuch") }, { status: 404 });
  } catch (error) {
    if (error instanceof LastSignInMethodError) return data({ error: t("waysIn.last") }, { status: 409 });
    throw error;
  }
  return redirectWithFlash("/settings/connections", { category: "success", message: t("connections.removed") });
}

export default function ConnectionsPage() {
  const { connections, providers, hasPassword } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const available = providers.filter((provider) => !provider.linked);
  const t = useT();
  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">{t("settings.connections")}</h1>
      <p>{hasPassword ? t("connections.introWithPassword") : t("connections.intro")}</p>
      <FormError message={actionData?.error} />
      {connections.length === 0 ? (
        <p>{t("connections.none")}</p>
      ) : (
        <ul className="device-list">
          {connections.map((connection) => (
            <li key={connection.id} className="device" aria-labelledby={`connection-${connection.id}`}>
              <h2 id={`connection-${connection.id}`}>{connection.label}</h2>
              <dl className="facts">
                <dt>{t("layout.account")}</dt>
                <dd>{connection.email ?? t("connections.noEmail")}</dd>
                <dt>{t("connections.linked")}</dt>
                <dd>
                  <time dateTime={new Date(connection.createdAt).toISOString()}>{formatTime(connection.createdAt)}</time>
                </dd>
                <dt>{t("passkeys.lastUsed")}</dt>
                <dd>{connection.lastUsedAt ? <time dateTime={new Date(connection.lastUsedAt).toISOString()}>{formatTime(connection.lastUsedAt)}</time> : t("passkeys.never")}</dd>
              </dl>
              <Form method="post" className="device-actions">
                <input type="hidden" name="intent" value="unlink" />
                <input type="hidden" name="identityId" value={connection.id} />
                <button type="submit" className="button danger" disabled={busy} aria-label={t("passkeys.removeNamed", { name: connection.label })}>
                  {t("passkeys.remove")}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      {available.length > 0 ? (
        <>
          <h2>{t("connections.link")}</h2>
          <ul className="provider-buttons">
            {available.map((provider) => (
              <li key={provider.id}>
                {/* A full page load: the answer is a redirect to the provider's site. */}
                <Form method="post" reloadDocument>
                  <input type="hidden" name="intent" value="link" />
                  <input type="hidden" name="provider" value={provider.id} />
                  <button type="submit" className="button">
                    {t("connections.linkNamed", { provider: provider.label })}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
