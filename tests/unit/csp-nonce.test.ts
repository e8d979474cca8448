import { describe, expect, it } from "vitest";
import { newNonce } from "../../server/security";

describe("CSP nonces", () => {
  it("are 16 random bytes in base64, never the same twice, across refills of the random block", () => {
    // 4 KiB blocks hold 256 nonces: 1,000 cross three refills.
    const nonces = Array.from({ length: 1_000 }, () => newNonce());
    expect(new Set(nonces).size).toBe(nonces.length);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
