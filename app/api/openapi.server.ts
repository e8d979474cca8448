import { z } from "zod";
import { getConfig } from "~/config.server";
import {
  ApiErrorSchema,
  ApiNoteSchema,
  ApiUserSchema,
  NOTE_PAGE_MAX,
  NOTE_PAGE_SIZE,
  NoteCreateSchema,
  NoteListSchema,
  NotePatchSchema,
} from "./schemas";
import { API_SCOPE_LABELS, API_SCOPES, type ApiScope } from "./scopes";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the
 * routes validate with (z.toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1
 * uses). Only the paths, words and status codes are written here.
 */

type JsonSchema = Record<string, unknown>;

const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${schema.meta()?.id as string}` });

/** The named schemas, answers as the server writes them and bodies as a client may send them (defaults optional). */
function componentSchemas(): Record<string, JsonSchema> {
  const convert = (schemas: z.ZodType[], io: "input" | "output") => {
    const registry = z.registry<{ id: string }>();
    for (const schema of schemas) registry.add(schema, { id: schema.meta()?.id as string });
    const { schemas: converted } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` });
    return Object.fromEntries(
      Object.entries(converted).map(([id, { $schema: _schema, $id: _id, ...rest }]) => [id, rest as JsonSchema]),
    );
  };
  return {
    ...convert([ApiUserSchema, ApiNoteSchema, NoteListSchema, ApiErrorSchema], "output"),
    ...convert([NoteCreateSchema, NotePatchSchema], "input"),
  };
}

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema: ref(schema) } } });
const error = (description: string) => json(ApiErrorSchema, description);

/** The answers every operation can give besides its own. */
const COMMON = {
  "401": error("No token, or a malformed, unknown, expired or revoked one. Carries `WWW-Authenticate: Bearer`."),
  "403": error("The token lacks the scope (named in `scope`)."),
  "429": error("Too many requests for this token or address; wait `Retry-After` seconds."),
};

function operation(summary: string, scope: ApiScope, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { summary, security: [{ bearerToken: [scope] }], ...extra, responses: { ...responses, ...COMMON } };
}

const noteId = { name: "noteId", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
const invalidInput = error("The body is not a JSON object (a form, broken JSON) or not a valid note; `fields` has a message per field.");
const noSuchNote = error("No such note among the token owner's notes.");

let built: ReturnType<typeof buildDocument> | undefined;

/** The API's description: the same for every request, so built once (z.toJSONSchema is not cheap). */
export function openApiDocument() {
  built ??= buildDocument();
  return built;
}

function buildDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Remix Auth Kit API",
      version: "1",
      description: `A personal API token (Settings → API tokens) in \`Authorization: Bearer rak_…\`. Scopes: ${API_SCOPES.join(", ")}.`,
    },
    servers: [{ url: `${getConfig().appOrigin}/api/v1` }],
    paths: {
      "/me": {
        get: operation("The token's owner", "profile:read", { "200": json(ApiUserSchema, "The user.") }),
      },
      "/notes": {
        get: operation("The owner's notes, newest first, one page at a time", "notes:read", { "200": json(NoteListSchema, "A page of notes."), "400": invalidInput }, {
          parameters: [
            { name: "cursor", in: "query", required: false, description: "The `next` value of the previous page.", schema: { type: "string" } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: NOTE_PAGE_MAX, default: NOTE_PAGE_SIZE } },
          ],
        }),
        post: operation("Create a note", "notes:write", { "201": json(ApiNoteSchema, "The new note."), "400": invalidInput }, {
          requestBody: { required: true, content: { "application/json": { schema: ref(NoteCreateSchema) } } },
        }),
      },
      "/notes/{noteId}": {
        parameters: [noteId],
        get: operation("One note", "notes:read", { "200": json(ApiNoteSchema, "The note."), "404": noSuchNote }),
        patch: operation("Change a note's title and/or text", "notes:write", { "200": json(ApiNoteSchema, "The changed note."), "400": invalidInput, "404": noSuchNote }, {
          requestBody: { required: true, content: { "application/json": { schema: ref(NotePatchSchema) } } },
        }),
        delete: operation("Delete a note", "notes:write", { "204": { description: "Deleted." }, "404": noSuchNote }),
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerToken: {
          type: "http",
          scheme: "bearer",
          description: `Scopes: ${API_SCOPES.map((scope) => `${scope} (${API_SCOPE_LABELS[scope]})`).join("; ")}.`,
        },
      },
    },
  };
}
