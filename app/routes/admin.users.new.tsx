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

export const meta: MetaFunction = () => [{ title: "New user · Admin · Remix Auth Kit" }];

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
  const parsed = parseForm(form, AdminUserCreateSchema, i18nOf({ request, context }).t);
  if (!parsed.success) return invalid(parsed.errors);
  const weakness = await weakPasswordReason(parsed.data.password, parsed.data);
  if (weakness) return invalid({ password: weakness });
  const { role, active, ...input } = parsed.data;
  try {
    const user = await createUser({ ...input, roles: [role], active }, Date.now(), {
      userId: admin.id,
      origin: requestOrigin(request, context),
    });
    return redirectWithFlash(`/admin/users/${user.id}`, { category: "success", message: `Created ${user.email}.` });
  } catch (error) {
    if (error instanceof EmailTakenError) return invalid({ email: error.message });
    if (error instanceof UnknownRoleError) return invalid({ role: "Choose one of the listed roles." });
    if (error instanceof PermissionEscalationError) return invalid({ role: error.message });
    throw error;
  }
}

export default function NewUserPage() {
  const { roles } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: FieldErrors = actionData?.fieldErrors ?? {};
  const values = actionData?.values;
  return (
    <section className="card narrow admin-form" aria-labelledby="new-user-title">
      <p className="breadcrumb">
        <Link to="/admin/users">← All users</Link>
      </p>
      <h1 id="new-user-title">New user</h1>
      <FormError message={Object.keys(errors).length ? "Please correct the highlighted fields." : null} />
      <Form method="post" noValidate>
        <Field label="Name" name="name" autoComplete="off" required defaultValue={values?.name} error={errors.name} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="off"
          required
          defaultValue={values?.email}
          error={errors.email}
        />
        <NewPasswordField hint={`At least ${PASSWORD_MIN_LENGTH} characters. Share it with the user over a safe channel.`} error={errors.password} />
        <RoleSelect roles={roles} defaultValue={values?.role ?? DEFAULT_ROLE} error={errors.role} />
        <div className="checkbox">
          <input id="active" name="active" type="checkbox" defaultChecked={values?.active ?? true} />
          <label htmlFor="active">Active (can log in)</label>
        </div>
        <button type="submit" className="button primary" disabled={busy}>
          Create user
        </button>
      </Form>
    </section>
  );
}
