/** The user list's sort vocabulary, shared by the query (user-list.server.ts) and the page's URL schema. */

export const USER_SORTS = ["name", "email", "created"] as const;
export type UserSort = (typeof USER_SORTS)[number];
export type SortDirection = "asc" | "desc";

/** Newest first is what one wants from dates; A to Z from names and emails. */
export const DEFAULT_DIRECTION: Record<UserSort, SortDirection> = { name: "asc", email: "asc", created: "desc" };
