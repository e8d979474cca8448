import { describe, expect, it } from "vitest";
import { requestPath, safeRedirect } from "~/auth/safe-redirect";

describe("safeRedirect", () => {
  it.each(["/", "/dashboard", "/dashboard/notes/3?tab=a&b=c", "/a%20b", "/settings#x", "/search?q=%2F%2Fx"])(
    "keeps the same-site path %j",
    (to) => expect(safeRedirect(to)).toBe(to),
  );

  it.each([
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,x",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\u0000/x",
    "evil.example",
    "dashboard",
    "",
    " /dashboard",
    "/%",
    "/".padEnd(3000, "a"),
  ])("refuses %j", (to) => expect(safeRedirect(to)).toBe("/dashboard"));

  it.each([
    ["/✓", "/%E2%9C%93"],
    ["/notes?q=café", "/notes?q=caf%C3%A9"],
    ["/a b", "/a%20b"],
    ["/emoji/😀?x=%E2%9C%93", "/emoji/%F0%9F%98%80?x=%E2%9C%93"],
  ])("percent-encodes %j into a valid header value", (to, expected) => {
    const location = safeRedirect(to);
    expect(location).toBe(expected);
    expect(() => new Headers({ Location: location })).not.toThrow();
  });

  it("falls back for what cannot be encoded (a lone surrogate)", () => {
    expect(safeRedirect("/x\uD800")).toBe("/dashboard");
  });

  it("refuses non-strings and uses the given fallback", () => {
    expect(safeRedirect(undefined)).toBe("/dashboard");
    expect(safeRedirect(null, "/")).toBe("/");
    expect(safeRedirect(["/x"])).toBe("/dashboard");
  });
});

describe("requestPath", () => {
  it("keeps path and query, drops Remix's data parameters and the .data suffix", () => {
    expect(requestPath(new Request("http://x/dashboard/notes?a=1"))).toBe("/dashboard/notes?a=1");
    expect(requestPath(new Request("http://x/n?q=a%20b+c&_routes=x"))).toBe("/n?q=a%20b+c");
    expect(requestPath(new Request("http://x/dashboard.data?_routes=root"))).toBe("/dashboard");
    expect(requestPath(new Request("http://x/dashboard?_data=routes%2Fdashboard&q=2"))).toBe("/dashboard?q=2");
    expect(requestPath(new Request("http://x/_root.data"))).toBe("/");
  });
});
