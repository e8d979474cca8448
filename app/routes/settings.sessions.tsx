import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { describeUserAgent, findDevice, listDevices, revokeDevice, revokeOtherDevices } from "~/auth/devices.server";
import { requireAuth } from "~/auth/guards.server";
import { logoutUser } from "~/auth/login.server";
import { parseForm, readFormData } from "~/auth/validation";
import { FormError } from "~/components/field";
import { getConfig } from "~/config.server";
import { redirectWithFlash } from "~/flash.server";
import { Time } from "~/components/time";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "settings.sessions")];

const SessionsActionSchema = z.object({
  intent: z.enum(["revoke", "revoke-others"], { message: "form.unknownAction" }),
  sessionId: z.string().trim().max(64, "sessions.unknown").optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  const { t } = i18nOf({ request, context });
  return { devices: await listDevices(user.id, session, getConfig().freshLoginMaxAge, Date.now(), t) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(await readFormData(request), SessionsActionSchema, t);
  if (!parsed.success) return data({ error: Object.values(parsed.errors)[0] ?? t("form.invalidRequest") }, { status: 400 });
  const origin = requestOrigin(request, context);

  if (parsed.data.intent === "revoke-others") {
    const count = await revokeOtherDevices(user.id, session, origin);
    const message = count === 0 ? t("sessions.noOthers") : count === 1 ? t("sessions.signedOutOne") : t("sessions.signedOutMany", { count });
    return redirectWithFlash("/settings/sessions", { category: "success", message });
  }

  if (!parsed.data.sessionId) return data({ error: t("sessions.choose") }, { status: 400 });
  // Another user's session, or one that no longer exists, is not found: nothing tells them apart.
  const device = await findDevice(user.id, parsed.data.sessionId);
  if (!device) throw data(t("sessions.noSuch"), { status: 404 });
  if (device.public_id === session.public_id) {
    return logoutUser(request, context, t);
  }
  await revokeDevice(user.id, device, origin);
  return redirectWithFlash("/settings/sessions", {
    category: "success",
    message: t("sessions.signedOutDevice", { device: describeUserAgent(device.user_agent, t) }),
  });
}

export default function SessionsPage() {
  const { devices } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const others = devices.filter((device) => !device.current).length;
  const t = useT();
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">{t("settings.sessions")}</h1>
      <p>{t("sessions.intro")}</p>
      <FormError message={actionData?.error} />
      <ul className="device-list">
        {devices.map((device) => (
          <li key={device.publicId} className="device" aria-labelledby={`device-${device.publicId}`}>
            <h2 id={`device-${device.publicId}`}>
              {device.description}
              {device.current ? <span className="badge">{t("sessions.thisDevice")}</span> : null}
            </h2>
            <dl className="facts">
              <dt>{t("activityPage.address")}</dt>
              <dd>{device.ip || t("sessions.unknownAddress")}</dd>
              <dt>{t("sessions.signedIn")}</dt>
              <dd>
                <Time ms={device.createdAt} />
              </dd>
              <dt>{t("sessions.lastActive")}</dt>
              <dd>{device.current ? t("sessions.now") : <Time ms={device.lastSeenAt} />}</dd>
              <dt>{t("sessions.signedInWith")}</dt>
              <dd>{device.signedInWith}</dd>
              <dt>{t("login.rememberMe")}</dt>
              <dd>{device.remember ? t("sessions.on") : t("sessions.off")}</dd>
            </dl>
            {device.current ? (
              <p className="hint">
                {device.freshUntil !== null ? (
                  <>
                    {`${t("sessions.freshUntil")} `}
                    <Time ms={device.freshUntil} />.
                  </>
                ) : (
                  <>
                    {t("sessions.willAsk")}{" "}
                    <Link to={`/reauthenticate?redirectTo=${encodeURIComponent("/settings/sessions")}`}>{t("sessions.confirmNow")}</Link>
                  </>
                )}
              </p>
            ) : null}
            <Form method="post" className="device-actions">
              <input type="hidden" name="intent" value="revoke" />
              <input type="hidden" name="sessionId" value={device.publicId} />
              <button
                type="submit"
                className="button"
                disabled={busy}
                aria-label={device.current ? t("sessions.signOutThis") : t("sessions.signOutDevice", { device: device.description })}
              >
                {t("sessions.signOut")}
              </button>
            </Form>
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Form method="post">
          <input type="hidden" name="intent" value="revoke-others" />
          <button type="submit" className="button danger" disabled={busy}>
            {t("sessions.signOutOthers")}
          </button>
        </Form>
      ) : (
        <p>{t("sessions.only")}</p>
      )}
    </section>
  );
}
