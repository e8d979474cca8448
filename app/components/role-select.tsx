import { useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/translate";

/**
 * The built-in roles' descriptions, in the page's language, while the database
 * still holds the text the migration wrote; a description an operator changed
 * is shown as they wrote it.
 */
const BUILT_IN_ROLES: Record<string, { seeded: string; key: MessageKey }> = {
  admin: { seeded: "Manages users and reads the audit log", key: "admin.roleAdmin" },
  user: { seeded: "A signed-in member (the role every new account gets)", key: "admin.roleUser" },
};

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
  const describe = (role: { name: string; description: string }) => {
    const builtIn = BUILT_IN_ROLES[role.name];
    return builtIn && builtIn.seeded === role.description ? t(builtIn.key) : role.description;
  };
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
        {roles.map((role) => `${role.name}: ${describe(role)}`).join(". ")}.
      </p>
      {error ? (
        <p id="role-error" className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
