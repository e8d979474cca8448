import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { requireFreshPermission } from "~/auth/guards.server";
import { weakPasswordReason } from "~/auth/password-strength.server";
import { DEFAULT_ROLE } from "~/auth/permissions";
import { AdminUserCreateSchema, parseForm, type FieldErrors, PASSWORD_MIN_LENGTH, readFormData } from "~/auth/validation";
import { Field, FormError, NewPasswordField } from "~/components/field";
import { RoleSelect } from "~/components/role-select";
import { redirectWithFlash } from "~/flash.server";
import { listRoles, UnknownRoleError } from "~/users/roles.server";
import { createUser, EmailTakenError, PermissionEscalationError } from "~/users/users.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "admin.newUser")];

export async function loader({ request, context }: LoaderFunctionArgs) {
  // Fresh already for the form, so the password is asked for before the form is filled in, not after.
  await requireFreshPermission({ request, context }, "users:write");
  return { roles: (await listRoles()).map(({ name, description }) => ({ name, description })) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user: admin } = await requireFreshPermission({ request, context }, "users:write");
  const form = await readFormData(request);
  const values = {
    name: String(form.get("name") ?? ""),
    email: String(form.get("email") ?? ""),
    role: String(form.get("role") ?? DEFAULT_ROLE),
    active: form.get("active") === "on",
  };
  const invalid = (fieldErrors: FieldErrors) => data({ fieldErrors, values }, { status: 400 });
  const i18n = i18nOf({ request, context });
  const { t } = i18n;
  const parsed = parseForm(form, AdminUserCreateSchema, t);
  if (!parsed.success) return invalid(parsed.errors);
  const weakness = await weakPasswordReason(parsed.data.password, parsed.data, i18n);
  if (weakness) return invalid({ password: weakness });
  const { role, active, ...input } = parsed.data;
  try {
    const user = await createUser({ ...input, roles: [role], active }, Date.now(), {
      userId: admin.id,
      origin: requestOrigin(request, context),
    });
    return redirectWithFlash(`/admin/users/${user.id}`, { category: "success", message: t("admin.created", { email: user.email }) });
  } catch (error) {
    if (error instanceof EmailTakenError) return invalid({ email: t("register.emailTaken") });
    if (error instanceof UnknownRoleError) return invalid({ role: t("admin.chooseRole") });
    if (error instanceof PermissionEscalationError) return invalid({ role: t(error.key, error.params) });
    throw error;
  }
}

export default function NewUserPage() {
  const { roles } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: FieldErrors = actionData?.fieldErrors ?? {};
  const values = actionData?.values;
  const t = useT();
  return (
    <section className="card narrow admin-form" aria-labelledby="new-user-title">
      <p className="breadcrumb">
        <Link to="/admin/users">← {t("admin.allUsers")}</Link>
      </p>
      <h1 id="new-user-title">{t("admin.newUser")}</h1>
      <FormError message={Object.keys(errors).length ? t("form.correctFields") : null} />
      <Form method="post" noValidate>
        <Field label={t("form.name")} name="name" autoComplete="off" required defaultValue={values?.name} error={errors.name} />
        <Field
          label={t("form.email")}
          name="email"
          type="email"
          autoComplete="off"
          required
          defaultValue={values?.email}
          error={errors.email}
        />
        <NewPasswordField hint={t("admin.passwordHint", { min: PASSWORD_MIN_LENGTH })} error={errors.password} />
        <RoleSelect roles={roles} defaultValue={values?.role ?? DEFAULT_ROLE} error={errors.role} />
        <div className="checkbox">
          <input id="active" name="active" type="checkbox" defaultChecked={values?.active ?? true} />
          <label htmlFor="active">{t("admin.activeLabel")}</label>
        </div>
        <button type="submit" className="button primary" disabled={busy}>
          {t("admin.createUser")}
        </button>
      </Form>
    </section>
  );
}
