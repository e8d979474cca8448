import { describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import { isSameOrigin } from "../../server/security";

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
