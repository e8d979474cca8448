import { useT } from "~/i18n/i18n";
/** The admin form's `role` field: one of the roles in the database. */
export function RoleSelect({
  roles,
  defaultValue,
  error,
}: {
  roles: { name: string; description: string }[];
  defaultValue: string;
  error?: string;
}) {
  const t = useT();
  return (
    <div className="field">
      <label htmlFor="role">{t("admin.role")}</label>
      <select
        id="role"
        name="role"
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "role-hint role-error" : "role-hint"}
      >
        {roles.map((role) => (
          <option key={role.name} value={role.name}>
            {role.name}
          </option>
        ))}
      </select>
      <p id="role-hint" className="hint">
        {roles.map((role) => `${role.name}: ${role.description}`).join(". ")}.
      </p>
      {error ? (
        <p id="role-error" className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
