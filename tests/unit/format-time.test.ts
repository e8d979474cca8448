import { describe, expect, it } from "vitest";
import { formatLocalTime, formatTime } from "~/utils/format-time";

describe("times on pages", () => {
  const moment = Date.UTC(2026, 0, 31, 23, 59);

  it("the server's text is UTC", () => {
    expect(formatTime(moment)).toBe("2026-01-31 23:59 UTC");
  });

  it("the browser's text is the same shape in the viewer's zone, the date moving with it", () => {
    expect(formatLocalTime(moment, "UTC")).toBe("2026-01-31 23:59 UTC");
    expect(formatLocalTime(moment, "America/New_York")).toBe("2026-01-31 18:59 EST");
    expect(formatLocalTime(moment, "Europe/Madrid")).toBe("2026-02-01 00:59 GMT+1");
    expect(formatLocalTime(moment, "Asia/Kolkata")).toBe("2026-02-01 05:29 GMT+5:30");
  });

  it("midnight is 00, never 24", () => {
    expect(formatLocalTime(Date.UTC(2026, 5, 1, 0, 5), "UTC")).toBe("2026-06-01 00:05 UTC");
  });
});
