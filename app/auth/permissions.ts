/**
 * What a signed-in user may do. Roles and the permissions they grant live in
 * the database (tables `roles`, `permissions`, `role_permissions`,
 * `user_roles`); these names are what the code checks. A new permission is
 * added here and granted to roles by a migration (README "Roles and permissions").
 */

export const PERMISSIONS = ["users:read", "users:write", "users:delete", "audit:read"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The built-in roles. Every new account gets DEFAULT_ROLE. */
export const ADMIN_ROLE = "admin";
export const DEFAULT_ROLE = "user";

/** A user's roles and the union of the permissions those roles grant. */
export type Access = { roles: string[]; permissions: string[] };

export function hasPermission(access: Access | null | undefined, permission: Permission): boolean {
  return access?.permissions.includes(permission) ?? false;
}

export function hasRole(access: Access | null | undefined, role: string): boolean {
  return access?.roles.includes(role) ?? false;
}
