import { describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import type { NextFunction, Request, Response } from "express";
import { bodyLimit, isSameOrigin, sameOriginOnly } from "../../server/security";

const SECRET = "s".repeat(40);

describe("isSameOrigin", () => {
  it("outside production treats the loopback names of the same port as one origin", () => {
    const config = loadConfig({ SESSION_SECRET: SECRET, PORT: "3000" });
    expect(isSameOrigin("http://localhost:3000", config)).toBe(true);
    expect(isSameOrigin("http://127.0.0.1:3000", config)).toBe(true);
    expect(isSameOrigin("http://[::1]:3000", config)).toBe(true);
    expect(isSameOrigin("http://127.0.0.1:3001", config)).toBe(false);
    expect(isSameOrigin("https://localhost:3000", config)).toBe(false);
    expect(isSameOrigin("http://localhost.evil.example:3000", config)).toBe(false);
    expect(isSameOrigin("null", config)).toBe(false);
  });

  it("in production accepts APP_ORIGIN only", () => {
    const config = loadConfig({ NODE_ENV: "production", SESSION_SECRET: SECRET, ENCRYPTION_KEY: SECRET, APP_ORIGIN: "https://app.example.com" });
    expect(isSameOrigin("https://app.example.com", config)).toBe(true);
    expect(isSameOrigin("http://app.example.com", config)).toBe(false);
    expect(isSameOrigin("https://app.example.com:8443", config)).toBe(false);
    expect(isSameOrigin("http://localhost:3000", config)).toBe(false);
  });
});

/** Runs an Express middleware on a minimal request; says whether it passed the request on, or what it answered. */
function run(middleware: (req: Request, res: Response, next: NextFunction) => void, req: Partial<Request>) {
  const outcome: { passed: boolean; status?: number; type?: string } = { passed: false };
  const res = {
    status(code: number) {
      outcome.status = code;
      return this;
    },
    type(type: string) {
      outcome.type = type;
      return this;
    },
    json() {
      outcome.type = "json";
      return this;
    },
    send() {
      return this;
    },
  } as unknown as Response;
  middleware({ headers: {}, ...req } as Request, res, () => {
    outcome.passed = true;
  });
  return outcome;
}

describe("the JSON API's exemptions", () => {
  const config = loadConfig({ SESSION_SECRET: SECRET, PORT: "3000" });
  const crossSite = { method: "POST", headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } };

  it("skips the same-origin check for /api/ only (bearer tokens, no cookies there)", () => {
    expect(run(sameOriginOnly(config), { ...crossSite, path: "/api/v1/notes" }).passed).toBe(true);
    expect(run(sameOriginOnly(config), { ...crossSite, path: "/dashboard/notes" })).toMatchObject({ passed: false, status: 403 });
    expect(run(sameOriginOnly(config), { ...crossSite, path: "/apiary" })).toMatchObject({ passed: false, status: 403 });
  });

  it("lets JSON bodies through to /api/ routes, and answers the size limits there in JSON", () => {
    const json = { method: "POST", headers: { "content-type": "application/json", "content-length": "20" } };
    expect(run(bodyLimit(), { ...json, path: "/api/v1/notes" }).passed).toBe(true);
    expect(run(bodyLimit(), { ...json, path: "/dashboard/notes" })).toMatchObject({ passed: false, status: 415 });
    const huge = { method: "POST", headers: { "content-type": "application/json", "content-length": "999999" } };
    expect(run(bodyLimit(), { ...huge, path: "/api/v1/notes" })).toMatchObject({ passed: false, status: 413, type: "json" });
  });
});
