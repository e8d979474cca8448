import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { recordActivity, requestOrigin } from "~/activity/activity.server";
import { describeUserAgent, findDevice, listDevices, revokeDevice, revokeOtherDevices } from "~/auth/devices.server";
import { requireAuth } from "~/auth/guards.server";
import { logoutUser } from "~/auth/login.server";
import { parseForm, readFormData } from "~/auth/validation";
import { FormError } from "~/components/field";
import { getConfig } from "~/config.server";
import { redirectWithFlash } from "~/flash.server";
import { Time } from "~/components/time";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [{ title: "Sessions · Remix Auth Kit" }];

const SessionsActionSchema = z.object({
  intent: z.enum(["revoke", "revoke-others"], { message: "Unknown action." }),
  sessionId: z.string().trim().max(64, "Unknown session.").optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  return { devices: await listDevices(user.id, session, getConfig().freshLoginMaxAge) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  const parsed = parseForm(await readFormData(request), SessionsActionSchema, i18nOf({ request, context }).t);
  if (!parsed.success) return data({ error: Object.values(parsed.errors)[0] ?? "Invalid request." }, { status: 400 });
  const origin = requestOrigin(request, context);

  if (parsed.data.intent === "revoke-others") {
    const count = await revokeOtherDevices(user.id, session, origin);
    const message = count === 0 ? "No other sessions were signed in." : `Signed out ${count} other ${count === 1 ? "session" : "sessions"}.`;
    return redirectWithFlash("/settings/sessions", { category: "success", message });
  }

  if (!parsed.data.sessionId) return data({ error: "Choose a session to sign out." }, { status: 400 });
  // Another user's session, or one that no longer exists, is not found: nothing tells them apart.
  const device = await findDevice(user.id, parsed.data.sessionId);
  if (!device) throw data("There is no such session.", { status: 404 });
  if (device.id_hash === session.id_hash) {
    await recordActivity({ type: "logout", actorId: user.id }, origin);
    return logoutUser(request, i18nOf({ request, context }).t);
  }
  await revokeDevice(user.id, device, origin);
  return redirectWithFlash("/settings/sessions", {
    category: "success",
    message: `Signed out ${describeUserAgent(device.user_agent)}.`,
  });
}

export default function SessionsPage() {
  const { devices } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const others = devices.filter((device) => !device.current).length;
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <p>These browsers are signed in to your account. If you do not recognise one, sign it out and change your password.</p>
      <FormError message={actionData?.error} />
      <ul className="device-list">
        {devices.map((device) => (
          <li key={device.publicId} className="device" aria-labelledby={`device-${device.publicId}`}>
            <h2 id={`device-${device.publicId}`}>
              {device.description}
              {device.current ? <span className="badge">This device</span> : null}
            </h2>
            <dl className="facts">
              <dt>Address</dt>
              <dd>{device.ip || "unknown"}</dd>
              <dt>Signed in</dt>
              <dd>
                <Time ms={device.createdAt} />
              </dd>
              <dt>Last active</dt>
              <dd>{device.current ? "Now" : <Time ms={device.lastSeenAt} />}</dd>
              <dt>Signed in with</dt>
              <dd>{device.signedInWith}</dd>
              <dt>Remember me</dt>
              <dd>{device.remember ? "On" : "Off"}</dd>
            </dl>
            {device.current ? (
              <p className="hint">
                {device.freshUntil !== null ? (
                  <>Password confirmed: sensitive settings open without asking again until <Time ms={device.freshUntil} />.</>
                ) : (
                  <>
                    Sensitive settings will ask for your password.{" "}
                    <Link to={`/reauthenticate?redirectTo=${encodeURIComponent("/settings/sessions")}`}>Confirm it now</Link>
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
                aria-label={device.current ? "Sign out this device" : `Sign out ${device.description}`}
              >
                Sign out
              </button>
            </Form>
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Form method="post">
          <input type="hidden" name="intent" value="revoke-others" />
          <button type="submit" className="button danger" disabled={busy}>
            Sign out all other sessions
          </button>
        </Form>
      ) : (
        <p>This is your only signed-in session.</p>
      )}
    </section>
  );
}
