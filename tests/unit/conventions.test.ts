import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_SCOPES } from "~/api/scopes";
import { appFiles } from "../helpers/source-files";

/**
 * The project's conventions, checked over the source so a new route cannot
 * quietly skip them: signed-in routes guard their own loader and action
 * (parents protect nothing in Remix), forms are read with readFormData
 * (an unreadable body is a 400, not a 500), and every JSON API route checks
 * its token's scope first.
 */

const ROUTES = path.resolve("app/routes");
const files = fs.readdirSync(ROUTES).filter((f) => f.endsWith(".tsx") || f.endsWith(".ts"));
const SIGNED_IN = /^(dashboard|settings|admin)[._]|^(reauthenticate)\.tsx$/;
const GUARD = /\b(requireUser|requireAuth|requireFreshLogin|requirePermission|requireFreshPermission|requireRole)\(/;
/** Every guard, including the public pages' (signed-out only, a pending two-factor login). */
const ANY_GUARD = /\b(requireUser|requireAuth|requireFreshLogin|requirePermission|requireFreshPermission|requireRole|requireAnonymous|requirePendingLogin|requireApiScope|requireApiToken)\(/;
/** What reads a request's body (or, for the API, its input). */
const BODY_READ = /\b(readFormData|authenticateLogin|readJsonBody|readQuery)\(|request\.(formData|json|text|arrayBuffer|blob)\(/;
/** The JSON API's routes (bearer tokens only). */
const API_ROUTE = /^api[._]/;
/** The API guard with its scope, as the first statement of a loader or action. */
const API_GUARD = /^[^)]*\)[^{]*\{\s*(const [^=]+= )?await requireApiScope\(\{ request, context \}, "([^"]+)"\);/;
/** API routes that answer without a token; each says why. */
const PUBLIC_API: Record<string, string> = {
  "api.v1.openapi[.json].ts": "the API's description: no user data",
};
/** API routes that need a valid token but no scope; each says why. */
const TOKEN_ONLY_API: Record<string, string> = {
  "api.$.ts": "an unknown /api path: 401 without a token, 404 with any token",
};
/** The scope-less API guard, as the first statement of a loader or action. */
const API_TOKEN_GUARD = /^[^)]*\)[^{]*\{\s*await requireApiToken\(\{ request, context \}\);/;
/**
 * Public actions whose credential travels in the request itself, so no guard
 * can run first; each says why. Everything else guards before it reads.
 */
const CREDENTIAL_IN_REQUEST: Record<string, string> = {
  "login.tsx": "the email and password in the form are the credential (a signed-in user may log in as someone else)",
  "verify-email.tsx": "the token in the form is the credential",
  "reset-password.tsx": "the reset cookie's token is checked before the form is read",
  "logout.tsx": "reads no body; logging out is allowed to anyone",
  "language.ts": "choosing a language is allowed to anyone; a signed-in user's choice is also saved on their account (getUser)",
};

/** The text of an exported function, up to the next top-level export. */
function exported(source: string, name: "loader" | "action"): string | null {
  const start = source.search(new RegExp(`export (async )?function ${name}\\b`));
  if (start < 0) return null;
  const rest = source.slice(start + 1);
  const end = rest.search(/\nexport /);
  return end < 0 ? rest : rest.slice(0, end);
}

describe("route conventions", () => {
  it.each(files.filter((f) => SIGNED_IN.test(f)))("%s guards its own loader and action", (file) => {
    const source = fs.readFileSync(path.join(ROUTES, file), "utf8");
    for (const name of ["loader", "action"] as const) {
      const body = exported(source, name);
      if (body !== null) expect(body, `${file} ${name}`).toMatch(GUARD);
    }
  });

  // Without an action Remix answers any POST with 405 before a guard runs; the spec wants a visitor sent to log in.
  it.each(files.filter((f) => SIGNED_IN.test(f)))("%s has an action, so a POST meets its guard", (file) => {
    expect(exported(fs.readFileSync(path.join(ROUTES, file), "utf8"), "action")).not.toBeNull();
  });

  // A route without a component is a resource route: under a layout, its errors come back as bare text, not a page
  // (how /settings' index once answered a POST). So a page is a .tsx with a component, and a resource route a .ts.
  it.each(files)("%s is a page (.tsx, a component) or a resource route (.ts, none)", (file) => {
    const hasComponent = /^export default /m.test(fs.readFileSync(path.join(ROUTES, file), "utf8"));
    expect(hasComponent, `${file}: a .tsx route exports a default component; a .ts route exports none`).toBe(file.endsWith(".tsx"));
  });

  it.each(files)("%s runs its guard before it reads the body", (file) => {
    const action = exported(fs.readFileSync(path.join(ROUTES, file), "utf8"), "action");
    if (action === null || file in CREDENTIAL_IN_REQUEST || file in PUBLIC_API) return;
    const read = action.search(BODY_READ);
    const guard = action.search(ANY_GUARD);
    expect(guard, `${file}: the action has no guard`).toBeGreaterThanOrEqual(0);
    if (read >= 0) expect(guard, `${file}: the action reads the body before its guard`).toBeLessThan(read);
  });

  it.each(files)("%s reads forms through readFormData", (file) => {
    const source = fs.readFileSync(path.join(ROUTES, file), "utf8");
    expect(source).not.toMatch(/request\.formData\(\)/);
  });

  it.each(files.filter((f) => API_ROUTE.test(f) && !(f in PUBLIC_API) && !(f in TOKEN_ONLY_API)))("%s checks a token scope first in its loader and action", (file) => {
    const source = fs.readFileSync(path.join(ROUTES, file), "utf8");
    for (const name of ["loader", "action"] as const) {
      const body = exported(source, name);
      if (body === null) continue;
      const guard = API_GUARD.exec(body);
      expect(guard, `${file} ${name}: the first statement must be requireApiScope({ request, context }, "<scope>")`).not.toBeNull();
      expect(API_SCOPES, `${file} ${name}: unknown scope`).toContain(guard![2]);
    }
  });

  it.each(Object.keys(TOKEN_ONLY_API))("%s checks for a token first in its loader and action", (file) => {
    const source = fs.readFileSync(path.join(ROUTES, file), "utf8");
    for (const name of ["loader", "action"] as const) {
      const body = exported(source, name);
      expect(body, `${file} ${name}`).not.toBeNull();
      expect(body, `${file} ${name}: the first statement must be requireApiToken({ request, context })`).toMatch(API_TOKEN_GUARD);
    }
  });

  it.each(files.filter((f) => API_ROUTE.test(f)))("%s uses no page guard and reads no form (API: bearer tokens and JSON only)", (file) => {
    const source = fs.readFileSync(path.join(ROUTES, file), "utf8");
    expect(source).not.toMatch(GUARD);
    expect(source).not.toMatch(/\breadFormData\(/);
  });

  it.each(Object.keys(PUBLIC_API))("public API route %s exists and never reads the identity", (file) => {
    expect(files).toContain(file);
    expect(fs.readFileSync(path.join(ROUTES, file), "utf8")).not.toMatch(/\bcontext\b|identity/);
  });

  it("knows every API route: each one is guarded by a scope, or listed as token-only or public", () => {
    const api = files.filter((f) => API_ROUTE.test(f));
    expect(api.length).toBeGreaterThanOrEqual(5);
    for (const file of api) {
      const source = fs.readFileSync(path.join(ROUTES, file), "utf8");
      expect(file in PUBLIC_API || (file in TOKEN_ONLY_API ? /requireApiToken\(/ : /requireApiScope\(/).test(source), file).toBe(true);
    }
  });
});

describe("account events", () => {
  /** Where activity records are written and the owner's notices built; everything else announces. */
  const EVENT_MODULES = /^app\/(activity\/activity\.server\.ts$|events\/|mail\/)/;
  const NOTICE_MAILS = /\b(passwordChangedMail|twoFactorNoticeMail)\b/;

  it("app code announces events (app/events) instead of writing the activity log or sending notices itself", () => {
    const offenders = appFiles()
      .filter((file) => !EVENT_MODULES.test(file.split(path.sep).join("/")))
      .filter((file) => {
        const source = fs.readFileSync(file, "utf8");
        return /\brecordActivity\b/.test(source) || NOTICE_MAILS.test(source) || /\binsertInto\(["'`]activity["'`]\)/.test(source);
      });
    expect(offenders).toEqual([]);
    // The check sees what it looks for.
    expect(fs.readFileSync("app/events/events.server.ts", "utf8")).toMatch(/\brecordActivity\(/);
    expect(fs.readFileSync("app/events/notices.server.ts", "utf8")).toMatch(NOTICE_MAILS);
  });
});
