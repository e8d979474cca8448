import { describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import type { IncomingMessage } from "node:http";
import { checkBody, isRemixDataUrlUnderApi, isSameOrigin, sameOriginOnly } from "../../server/security";

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

/** A minimal incoming request, as the checks read it. */
const request = (init: { method: string; headers: Record<string, string> }) => ({ ...init, headers: { ...init.headers } }) as unknown as IncomingMessage;

describe("the JSON API's exemptions", () => {
  const config = loadConfig({ SESSION_SECRET: SECRET, PORT: "3000" });
  const crossSite = { method: "POST", headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } };
  const refuseCrossSite = sameOriginOnly(config);

  it("skips the same-origin check for /api/ only (bearer tokens, no cookies there)", () => {
    expect(refuseCrossSite(request(crossSite), "/api/v1/notes")).toBeNull();
    expect(refuseCrossSite(request(crossSite), "/dashboard/notes")).toMatchObject({ status: 403 });
    expect(refuseCrossSite(request(crossSite), "/apiary")).toMatchObject({ status: 403 });
  });

  it("lets JSON bodies through to /api/ routes, and keeps the size limit there", () => {
    const json = { method: "POST", headers: { "content-type": "application/json", "content-length": "20" } };
    expect(checkBody(request(json), "/api/v1/notes")).toBeNull();
    expect(checkBody(request(json), "/dashboard/notes")).toMatchObject({ status: 415 });
    const huge = { method: "POST", headers: { "content-type": "application/json", "content-length": "999999" } };
    expect(checkBody(request(huge), "/api/v1/notes")).toMatchObject({ status: 413 });
  });

  it("sends Remix's own data URLs under /api/ to the API's 404", () => {
    expect(isRemixDataUrlUnderApi("/api/v1/notes.data", "")).toBe(true);
    expect(isRemixDataUrlUnderApi("/api/v1/notes", "?_data=routes%2Fapi.v1.notes")).toBe(true);
    expect(isRemixDataUrlUnderApi("/api/v1/notes", "?cursor=abc")).toBe(false);
    expect(isRemixDataUrlUnderApi("/dashboard.data", "")).toBe(false);
  });
});
