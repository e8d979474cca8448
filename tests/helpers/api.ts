import type { ApiTokenRow } from "../../db/schema";
import type { Client, TestServer } from "./server";

/** Shared steps for the API token tests: create a token through the settings page, call the API with it. */

export type TokenOptions = { name?: string; scopes?: string[]; expiresIn?: string };

/** Posts the create form (the session must be fresh) and returns the response and the token shown once, if any. */
export async function postCreateToken(client: Client, { name = "script", scopes = ["profile:read"], expiresIn }: TokenOptions = {}) {
  const body = new URLSearchParams({ intent: "create", name });
  for (const scope of scopes) body.append("scopes", scope);
  if (expiresIn !== undefined) body.set("expiresIn", expiresIn);
  const response = await client.request("/settings/api-tokens", {
    method: "POST",
    body: body.toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const html = response.status === 200 || response.status === 400 ? await response.text() : "";
  const token = /<code class="token-value">(rak_[^<]+)<\/code>/.exec(html)?.[1] ?? null;
  return { response, html, token };
}

/** Creates a token through the page; throws unless it is shown. */
export async function createToken(client: Client, options: TokenOptions = {}): Promise<string> {
  const { response, token } = await postCreateToken(client, options);
  if (!token) throw new Error(`no token shown: ${response.status}`);
  return token;
}

/** A request to the API with `token` as bearer (no cookies), JSON bodies as JSON. */
export function callApi(
  server: TestServer,
  path: string,
  { token, method = "GET", json, headers = {}, body }: { token?: string | null; method?: string; json?: unknown; headers?: Record<string, string>; body?: BodyInit } = {},
): Promise<Response> {
  const all: Record<string, string> = { ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  if (json !== undefined) all["Content-Type"] = "application/json";
  return fetch(new URL(path, server.url), {
    method,
    headers: all,
    body: json !== undefined ? JSON.stringify(json) : body,
    redirect: "manual",
  });
}

export type TokenRow = ApiTokenRow;

/** The stored row of a token (found by the lookup id in it). */
export async function tokenRow(server: TestServer, token: string): Promise<TokenRow> {
  const lookupId = token.split("_")[1]!;
  return server.db.selectFrom("api_tokens").selectAll().where("lookup_id", "=", lookupId).executeTakeFirstOrThrow();
}
