import type { z } from "zod";
import { formatWait } from "~/auth/rate-limit.server";
import { type FieldErrors, fieldMessage } from "~/auth/validation";
import { i18nFor } from "~/i18n/i18n.server";

/**
 * How the JSON API answers: every answer under /api/ is JSON, errors are
 * `{ "error": message, "fields"?: {...} }` (SPEC.md), and the helpers throw or
 * return plain Responses so a resource route reads top to bottom.
 */

type ErrorExtras = { fields?: FieldErrors; scope?: string; headers?: HeadersInit };

export function apiJson(data: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(data, { status, headers });
}

export function apiError(status: number, error: string, { fields, scope, headers }: ErrorExtras = {}): Response {
  return Response.json({ error, ...(fields ? { fields } : {}), ...(scope ? { scope } : {}) }, { status, headers });
}

/** 401 (`presented`: an Authorization header came): no token, or one that is malformed, unknown, expired or revoked (never which of those: RFC 6750's invalid_token). */
export function unauthorized(presented: boolean): Response {
  return apiError(
    401,
    presented ? "The token is not valid: it is unknown, expired or revoked." : "Send a personal API token: Authorization: Bearer <token>.",
    { headers: { "WWW-Authenticate": presented ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"' } },
  );
}

/** 403: the token works but was not given `scope`. */
export function insufficientScope(scope: string): Response {
  return apiError(403, `This token lacks the scope ${scope}.`, {
    scope,
    headers: { "WWW-Authenticate": `Bearer realm="api", error="insufficient_scope", scope="${scope}"` },
  });
}

export const NO_SUCH_ENDPOINT = "There is no such API endpoint; see /api/v1/openapi.json.";

export function notFound(message = "Not found."): Response {
  return apiError(404, message);
}

export function methodNotAllowed(request: Request, allowed: string[]): Response {
  return apiError(405, `${request.method} is not allowed here; use ${allowed.join(" or ")}.`, { headers: { Allow: allowed.join(", ") } });
}

/** A 429 for the API, keeping the rate limiter's Retry-After (seconds). */
export function tooManyRequests(limited: Response): Response {
  const retryAfter = Number(limited.headers.get("Retry-After")) || 60;
  return apiError(429, `Too many requests. Try again in ${formatWait(retryAfter)}.`, { headers: { "Retry-After": String(retryAfter) } });
}

/** A zod error as one message per field (the first for each); errors about the whole value go under `body`. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  // No prototype: a field named `constructor` or `__proto__` gets its message like any other.
  const fields: FieldErrors = Object.create(null) as FieldErrors;
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[key] ??= "Unknown field.";
      continue;
    }
    // The shared field rules' messages are catalog keys; the API answers in English.
    fields[String(issue.path[0] ?? "body")] ??= fieldMessage(issue.message, i18nFor("en").t);
  }
  return fields;
}

function invalid(error: z.ZodError): Response {
  return apiError(400, "The request is not valid; see fields.", { fields: fieldErrors(error) });
}

/** Bodies read as JSON: a JSON type, or none or text/plain (what fetch and curl send for a bare string). */
const JSON_OR_PLAIN = /^\s*(application\/([\w.+-]+\+)?json|text\/plain)?\s*(;|$)/i;

/**
 * The request's JSON body, validated by `schema`. Anything that is not a JSON
 * object (a form, a file, broken JSON) gets 400 with `fields.body` (the spec's
 * "bad JSON body"), and a value the schema refuses 400 with a message per field.
 */
export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  if (!JSON_OR_PLAIN.test(request.headers.get("Content-Type") ?? "")) {
    throw apiError(400, "Send the body as JSON, with Content-Type: application/json.", { fields: { body: "Expected a JSON object." } });
  }
  let value: unknown;
  try {
    value = JSON.parse(await request.text());
  } catch {
    throw apiError(400, "The body is not valid JSON.", { fields: { body: "Expected a JSON object." } });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw apiError(400, "The body must be a JSON object.", { fields: { body: "Expected a JSON object." } });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

/** The URL's query, validated by `schema` (a repeated parameter counts once: the first). */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const input: Record<string, string> = {};
  for (const [key, value] of new URL(request.url).searchParams) input[key] ??= value;
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}
