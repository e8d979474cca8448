import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { type ReactNode, useRef } from "react";
import { requestOrigin } from "~/activity/activity.server";
import { listApiTokens, revokeApiToken } from "~/api/api-tokens.server";
import { requestEmailChange } from "~/account/email.server";
import { requireFreshPermission, requirePermission } from "~/auth/guards.server";
import { ADMIN_ROLE, DEFAULT_ROLE, hasPermission, type Permission } from "~/auth/permissions";
import { endAllSessionsOfUser } from "~/auth/devices.server";
import { listIdentities, unlinkIdentity } from "~/auth/oidc/identities.server";
import { providerLabel } from "~/auth/oidc/providers.server";
import { countPasskeys } from "~/auth/passkeys.server";
import { countLiveSessions } from "~/auth/sessions.server";
import { isTwoFactorEnabled } from "~/auth/two-factor.server";
import { AdminUserUpdateSchema, parseForm, type FieldErrors, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { RoleSelect } from "~/components/role-select";
import { Time } from "~/components/time";
import { redirectWithFlash } from "~/flash.server";
import { MailDeliveryError } from "~/mail/mailer.server";
import { findAccess, listRoles, UnknownRoleError } from "~/users/roles.server";
import {
  type Actor,
  deleteUser,
  EmailTakenError,
  findUserById,
  LastAdminError,
  PermissionEscalationError,
  removeAllPasskeys,
  requireMayManage,
  StaleEditError,
  resetTwoFactor,
  updateUser,
} from "~/users/users.server";
import { rowId } from "~/utils/row-id";
import { i18nOf } from "~/i18n/i18n.server";
import { Message, translatorOf, useT } from "~/i18n/i18n";
import type { Translate } from "~/i18n/translate";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  const t = translatorOf(matches);
  return [{ title: `${data?.user.name ?? t("admin.user")} · ${t("layout.admin")} · Remix Auth Kit` }];
};

const UserId = rowId();
const TokenId = rowId();

function userIdOrNotFound(param: string | undefined): number {
  const parsed = UserId.safeParse(param);
  if (!parsed.success) throw new Response("User not found", { status: 404 });
  return parsed.data;
}

function notFound(): Response {
  return new Response("User not found", { status: 404 });
}

/** What each `intent` of this page's forms needs; an unknown intent needs the most common one. */
const INTENT_PERMISSIONS: Record<string, Permission> = {
  update: "users:write",
  "end-sessions": "users:write",
  "reset-two-factor": "users:write",
  "remove-passkeys": "users:write",
  "revoke-token": "users:write",
  "unlink-identity": "users:write",
  delete: "users:delete",
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requirePermission({ request, context }, "users:read");
  const id = userIdOrNotFound(params.id);
  const user = await findUserById(id);
  if (!user) throw notFound();
  const [{ roles }, sessions, allRoles, twoFactor, tokens, identities, passkeys] = await Promise.all([
    findAccess(id),
    countLiveSessions(id),
    listRoles(),
    isTwoFactorEnabled(id),
    listApiTokens(id),
    listIdentities(id),
    countPasskeys(id),
  ]);
  const canDelete = hasPermission(viewer, "users:delete");
  return {
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      active: user.active === 1,
      createdAt: user.created_at,
      updatedAt: user.updated_at,
      roles,
    },
    sessions,
    twoFactor,
    tokens,
    connections: identities.map((identity) => ({
      id: identity.id,
      label: providerLabel(identity.provider),
      email: identity.email,
      createdAt: identity.created_at,
      lastUsedAt: identity.last_used_at,
    })),
    passkeys,
    roles: allRoles.map(({ name, description }) => ({ name, description })),
    isSelf: viewer.id === id,
    canWrite: hasPermission(viewer, "users:write"),
    canDelete,
    confirmDelete: canDelete && new URL(request.url).searchParams.get("confirm") === "delete",
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  // Guard before the body: anonymous → log in, no admin rights → 403, stale session → /reauthenticate.
  const { user: admin, session } = await requireFreshPermission({ request, context }, "users:read");
  const form = await readFormData(request);
  // A post without `intent` is the edit form (`name`, `email`, `role`, `active`), as the spec lists it.
  const intent = String(form.get("intent") ?? "update");
  await requirePermission({ request, context }, Object.hasOwn(INTENT_PERMISSIONS, intent) ? INTENT_PERMISSIONS[intent]! : "users:write");
  const id = userIdOrNotFound(params.id);
  const actor: Actor = { userId: admin.id, origin: requestOrigin(request, context) };
  const { t, language } = i18nOf({ request, context });
  const failed = (error: { formError?: string; fieldErrors?: FieldErrors; values?: Record<string, string | boolean> }) =>
    data({ intent, formError: error.formError ?? null, fieldErrors: error.fieldErrors ?? {}, values: error.values ?? null }, { status: 400 });

  // updateUser, deleteUser and the other changes check this in their own transactions; these three act directly.
  if (intent === "end-sessions" || intent === "revoke-token" || intent === "unlink-identity") {
    try {
      await requireMayManage(actor, id);
    } catch (error) {
      if (error instanceof PermissionEscalationError) return failed({ formError: t(error.key, error.params) });
      throw error;
    }
  }

  switch (intent) {
    case "update": {
      const values = {
        name: String(form.get("name") ?? ""),
        email: String(form.get("email") ?? ""),
        role: String(form.get("role") ?? ""),
        active: form.get("active") === "on",
      };
      const parsed = parseForm(form, AdminUserUpdateSchema, t);
      if (!parsed.success) return failed({ formError: t("form.correctFields"), fieldErrors: parsed.errors, values });
      const { role, email, updatedAt, ...changes } = parsed.data;
      // An admin's own new address must be confirmed like anyone's: a stolen session cannot simply take the account.
      const ownNewEmail = id === admin.id && email !== admin.email ? email : null;
      try {
        const result = await updateUser(id, { ...changes, ...(ownNewEmail ? {} : { email }), roles: [role], expectedUpdatedAt: updatedAt }, Date.now(), actor);
        if (!result) throw notFound();
        // The link goes out once the rest is saved: a refused save (the last admin, an unknown role) mails nothing.
        // Should the mail fail, the page says so and the same form, sent again, changes nothing else twice.
        if (ownNewEmail) {
          const row = await findUserById(id);
          if (!row) throw notFound();
          await requestEmailChange({ ...row, language: row.language ?? language }, ownNewEmail, actor.origin);
        }
        const emailNote = ownNewEmail ? t("email.sent", { email: ownNewEmail }) : "";
        const changed = result.fields.length > 0 || result.roles || result.active;
        // An admin who just gave up their own admin role can no longer see this page.
        if (id === admin.id && result.roles && !hasPermission(await findAccess(id), "users:read")) {
          const message = `${t("admin.rolesChanged")}${emailNote ? ` ${emailNote}` : ""}`;
          return redirectWithFlash("/dashboard", { category: "success", message });
        }
        if (emailNote) return redirectWithFlash(`/admin/users/${id}`, { category: "success", message: emailNote });
        return redirectWithFlash(`/admin/users/${id}`, {
          category: changed ? "success" : "info",
          message: changed ? t("admin.saved", { email: result.user.email }) : t("admin.nothingToChange"),
        });
      } catch (error) {
        if (error instanceof EmailTakenError) return failed({ fieldErrors: { email: t("register.emailTaken") }, values });
        if (error instanceof UnknownRoleError) return failed({ fieldErrors: { role: t("admin.chooseRole") }, values });
        if (error instanceof LastAdminError) return failed({ formError: t("admin.lastAdmin"), values });
        // The form shows what is stored now (no values of the stale one): the admin sees the other change and decides again.
        if (error instanceof StaleEditError) {
          return data({ intent, formError: t("admin.changedMeanwhile"), fieldErrors: {} as FieldErrors, values: null }, { status: 409 });
        }
        if (error instanceof PermissionEscalationError) return failed({ formError: t(error.key, error.params), values });
        if (error instanceof MailDeliveryError) {
          return data(
            { intent, formError: t("mail.retry"), fieldErrors: {} as FieldErrors, values },
            { status: 503, headers: { "Retry-After": "60" } },
          );
        }
        throw error;
      }
    }
    case "end-sessions": {
      if (!(await findUserById(id))) throw notFound();
      // Ending your own sessions keeps the one you are using.
      const exceptPublicId = admin.id === id ? session.public_id : undefined;
      const ended = await endAllSessionsOfUser({ actorId: admin.id, userId: id, exceptPublicId }, actor.origin);
      return redirectWithFlash(`/admin/users/${id}`, {
        category: "success",
        message: endedMessage(ended, t),
      });
    }
    case "revoke-token": {
      const tokenId = TokenId.safeParse(form.get("tokenId"));
      if (!tokenId.success || !(await revokeApiToken({ userId: id, tokenId: tokenId.data, actorId: admin.id }, actor.origin))) {
        throw new Response("Token not found", { status: 404 });
      }
      return redirectWithFlash(`/admin/users/${id}`, { category: "success", message: t("admin.tokenRevoked") });
    }
    case "unlink-identity": {
      // An admin may remove any link, even the last way in (the user can still reset a password by email).
      const identityId = TokenId.safeParse(form.get("identityId"));
      if (!identityId.success || !(await unlinkIdentity(id, identityId.data, actor, { keepOneWayIn: false }))) {
        throw new Response("Connection not found", { status: 404 });
      }
      return redirectWithFlash(`/admin/users/${id}`, { category: "success", message: t("admin.providerUnlinked") });
    }
    case "remove-passkeys": {
      if (!(await findUserById(id))) throw notFound();
      try {
        const removed = await removeAllPasskeys(id, actor);
        return redirectWithFlash(`/admin/users/${id}`, {
          category: removed ? "success" : "info",
          message: removed
            ? removed === 1
              ? t("admin.passkeysRemovedOne")
              : t("admin.passkeysRemoved", { count: removed })
            : t("admin.noPasskeys"),
        });
      } catch (error) {
        if (error instanceof PermissionEscalationError) return failed({ formError: t(error.key, error.params) });
        throw error;
      }
    }
    case "reset-two-factor": {
      if (!(await findUserById(id))) throw notFound();
      try {
        const reset = await resetTwoFactor(id, actor, Date.now(), language);
        return redirectWithFlash(`/admin/users/${id}`, {
          category: reset ? "success" : "info",
          message: reset ? t("admin.twoFactorReset") : t("admin.twoFactorAlreadyOff"),
        });
      } catch (error) {
        if (error instanceof PermissionEscalationError) return failed({ formError: t(error.key, error.params) });
        throw error;
      }
    }
    case "delete": {
      const user = await findUserById(id);
      if (!user) throw notFound();
      try {
        await deleteUser(id, actor);
      } catch (error) {
        if (error instanceof LastAdminError) return failed({ formError: t("admin.lastAdmin") });
        if (error instanceof PermissionEscalationError) return failed({ formError: t(error.key, error.params) });
        throw error;
      }
      return redirectWithFlash("/admin/users", { category: "success", message: t("admin.deleted", { email: user.email }) });
    }
    default:
      return failed({ formError: t("form.unknownAction") });
  }
}

/** "Ended 2 sessions." / "Ended 2 sessions and revoked 1 API token." */
function endedMessage({ sessions, tokens }: { sessions: number; tokens: number }, t: Translate): string {
  const sessionCount = sessions === 1 ? t("admin.oneSession") : t("admin.nSessions", { n: sessions });
  if (tokens === 0) return sessions === 0 ? t("admin.noSessionsToEnd") : t("admin.ended", { sessions: sessionCount });
  const tokenCount = tokens === 1 ? t("admin.oneToken") : t("admin.nTokens", { n: tokens });
  return t("admin.endedAndRevoked", { sessions: sessionCount, tokens: tokenCount });
}


export default function AdminUserPage() {
  const { user, sessions, twoFactor, tokens, connections, passkeys, roles, isSelf, canWrite, canDelete, confirmDelete } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <section className="admin" aria-labelledby="user-title">
      <p className="breadcrumb">
        <Link to="/admin/users">← {t("admin.allUsers")}</Link>
      </p>
      <h1 id="user-title">{user.name}</h1>
      <FormError message={actionData?.formError} />

      {confirmDelete ? (
        <div className="card confirm" role="region" aria-labelledby="delete-confirm-title">
          <DeleteConfirmation
            user={user}
            isSelf={isSelf}
            titleId="delete-confirm-title"
            cancel={
              <Link to={`/admin/users/${user.id}`} className="button">
                {t("notes.cancel")}
              </Link>
            }
          />
        </div>
      ) : null}

      <dl className="facts">
        <dt>{t("form.email")}</dt>
        <dd>{user.email}</dd>
        <dt>{t("admin.roles")}</dt>
        <dd>{user.roles.join(", ") || t("admin.noRoles")}</dd>
        <dt>{t("profile.status")}</dt>
        <dd>{user.active ? t("admin.active") : t("admin.inactiveLong")}</dd>
        <dt>{t("admin.createdColumn")}</dt>
        <dd>
          <Time ms={user.createdAt} />
        </dd>
        <dt>{t("settings.sessions")}</dt>
        <dd>{sessions === 1 ? t("admin.activeSessionsOne") : t("admin.activeSessions", { n: sessions })}</dd>
        <dt>{t("settings.twoFactor")}</dt>
        <dd>{twoFactor ? t("sessions.on") : t("sessions.off")}</dd>
        <dt>{t("settings.passkeys")}</dt>
        <dd>{passkeys === 0 ? t("admin.none") : passkeys === 1 ? t("admin.onePasskey") : t("admin.nPasskeys", { n: passkeys })}</dd>
      </dl>

      {canWrite ? <EditUser user={user} roles={roles} actionData={actionData} /> : null}

      {canWrite ? (
        <section className="stack" aria-labelledby="sessions-title">
          <h2 id="sessions-title">{t("settings.sessions")}</h2>
          <p>{isSelf ? t("admin.endSessionsSelf") : t("admin.endSessionsOther")}</p>
          <Form method="post">
            <button type="submit" name="intent" value="end-sessions" className="button">
              {t("admin.endSessions")}
            </button>
          </Form>
        </section>
      ) : null}

      <section className="stack" aria-labelledby="tokens-title">
        <h2 id="tokens-title">{t("settings.apiTokens")}</h2>
        {tokens.length === 0 ? (
          <p>{t("admin.noTokens")}</p>
        ) : (
          <ul className="device-list" aria-label={t("settings.apiTokens")}>
            {tokens.map((token) => (
              <li key={token.id} className="device">
                <h3>
                  {token.name}
                  {token.expired ? <span className="badge">{t("tokens.expired")}</span> : null}
                  {token.expiresAt === null ? <span className="badge warning">{t("tokens.neverExpires")}</span> : null}
                </h3>
                <p>
                  <Message
                    id="admin.tokenFacts"
                    values={{
                      scopes: token.scopes.join(", "),
                      created: <Time ms={token.createdAt} />,
                      expires: token.expiresAt === null ? t("admin.never") : <Time ms={token.expiresAt} />,
                      used:
                        token.lastUsedAt === null ? (
                          t("admin.never")
                        ) : (
                          <Message
                            id="admin.usedFrom"
                            values={{ when: <Time ms={token.lastUsedAt} />, ip: token.lastUsedIp || t("tokens.unknownAddress") }}
                          />
                        ),
                    }}
                  />
                </p>
                {canWrite ? (
                  <Form method="post">
                    <input type="hidden" name="tokenId" value={token.id} />
                    <button type="submit" name="intent" value="revoke-token" className="button" aria-label={t("admin.revokeToken", { name: token.name })}>
                      {t("tokens.revoke")}
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="stack" aria-labelledby="connections-title">
        <h2 id="connections-title">{t("admin.providers")}</h2>
        {connections.length === 0 ? (
          <p>{t("admin.noProviders")}</p>
        ) : (
          <ul className="device-list" aria-label={t("admin.providers")}>
            {connections.map((connection) => (
              <li key={connection.id} className="device">
                <h3>{connection.label}</h3>
                <p>
                  <Message
                    id="admin.connectionFacts"
                    values={{
                      email: connection.email ?? t("connections.noEmail"),
                      linked: <Time ms={connection.createdAt} />,
                      used: connection.lastUsedAt === null ? t("admin.never") : <Time ms={connection.lastUsedAt} />,
                    }}
                  />
                </p>
                {canWrite ? (
                  <Form method="post">
                    <input type="hidden" name="identityId" value={connection.id} />
                    <button type="submit" name="intent" value="unlink-identity" className="button" aria-label={t("admin.unlinkNamed", { provider: connection.label })}>
                      {t("admin.unlink")}
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      {canWrite && twoFactor ? (
        <section className="stack" aria-labelledby="two-factor-title">
          <h2 id="two-factor-title">{t("settings.twoFactor")}</h2>
          <p>{t("admin.resetTwoFactorIntro")}</p>
          <Form method="post">
            <button type="submit" name="intent" value="reset-two-factor" className="button">
              {t("admin.resetTwoFactor")}
            </button>
          </Form>
        </section>
      ) : null}

      {canWrite && passkeys > 0 ? (
        <section className="stack" aria-labelledby="passkeys-title">
          <h2 id="passkeys-title">{t("settings.passkeys")}</h2>
          <p>{isSelf ? t("admin.removePasskeysSelf") : t("admin.removePasskeysOther")}</p>
          <Form method="post">
            <button type="submit" name="intent" value="remove-passkeys" className="button">
              {t("admin.removePasskeys")}
            </button>
          </Form>
        </section>
      ) : null}

      {canDelete ? <DeleteUser user={user} isSelf={isSelf} /> : null}
    </section>
  );
}

type UserView = ReturnType<typeof useLoaderData<typeof loader>>["user"];

function EditUser({
  user,
  roles,
  actionData,
}: {
  user: UserView;
  roles: { name: string; description: string }[];
  actionData: ReturnType<typeof useActionData<typeof action>>;
}) {
  const busy = useNavigation().state === "submitting";
  const errors: FieldErrors = actionData?.intent === "update" ? actionData.fieldErrors : {};
  const values = actionData?.intent === "update" ? actionData.values : null;
  const currentRole = user.roles.includes(ADMIN_ROLE) ? ADMIN_ROLE : (user.roles[0] ?? DEFAULT_ROLE);
  const t = useT();
  return (
    <section className="stack" aria-labelledby="edit-title">
      <h2 id="edit-title">{t("admin.edit")}</h2>
      {/* A new key after each save resets the fields to what was stored. */}
      <Form method="post" noValidate key={user.updatedAt} className="admin-form">
        <input type="hidden" name="updatedAt" value={user.updatedAt} />
        <Field label={t("form.name")} name="name" autoComplete="off" required defaultValue={String(values?.name ?? user.name)} error={errors.name} />
        <Field
          label={t("form.email")}
          name="email"
          type="email"
          autoComplete="off"
          required
          defaultValue={String(values?.email ?? user.email)}
          error={errors.email}
        />
        <RoleSelect roles={roles} defaultValue={String(values?.role ?? currentRole)} error={errors.role} />
        {user.roles.length > 1 ? (
          <p className="hint">{t("admin.severalRoles", { roles: user.roles.join(", ") })}</p>
        ) : null}
        <div className="checkbox">
          <input id="active" name="active" type="checkbox" defaultChecked={Boolean(values?.active ?? user.active)} />
          <label htmlFor="active">{t("admin.activeLabel")}</label>
        </div>
        <button type="submit" name="intent" value="update" className="button primary" disabled={busy}>
          {t("admin.saveChanges")}
        </button>
      </Form>
    </section>
  );
}

function DeleteConfirmation({ user, isSelf, titleId, cancel }: { user: UserView; isSelf: boolean; titleId: string; cancel: ReactNode }) {
  const t = useT();
  return (
    <>
      <h2 id={titleId}>{t("admin.deleteTitle", { name: user.name })}</h2>
      <p>
        {t("admin.deleteIntro", { email: user.email })}
        {isSelf ? ` ${t("admin.deleteSelf")}` : ""}
      </p>
      <Form method="post" action={`/admin/users/${user.id}`} className="actions">
        <button type="submit" name="intent" value="delete" className="button danger">
          {t("admin.deleteYes")}
        </button>
        {cancel}
      </Form>
    </>
  );
}

/**
 * Without JavaScript, "Delete user…" is a link to this page's confirm step
 * (?confirm=delete); with it, the same confirmation opens as a modal dialog.
 */
function DeleteUser({ user, isSelf }: { user: UserView; isSelf: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const t = useT();
  return (
    <section className="stack danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">{t("admin.delete")}</h2>
      <Link
        to={`/admin/users/${user.id}?confirm=delete`}
        className="button danger"
        onClick={(event) => {
          if (typeof dialog.current?.showModal !== "function") return;
          event.preventDefault();
          dialog.current.showModal();
        }}
      >
        {t("admin.deleteUser")}
      </Link>
      <dialog ref={dialog} aria-labelledby="delete-dialog-title" className="dialog" onSubmit={() => dialog.current?.close()}>
        <DeleteConfirmation
          user={user}
          isSelf={isSelf}
          titleId="delete-dialog-title"
          cancel={
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              {t("notes.cancel")}
            </button>
          }
        />
      </dialog>
    </section>
  );
}
