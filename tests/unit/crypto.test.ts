import { createHash, createHmac, hkdfSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appFiles } from "../helpers/source-files";
import {
  aesGcmOpen,
  aesGcmSeal,
  hkdfSha256,
  hmacSha256,
  randomBelow,
  randomBytes,
  randomHex,
  randomToken,
  sha256Base64url,
  sha256Hex,
} from "~/utils/crypto.server";

describe("the crypto adapter", () => {
  it("is the only module in app/ that imports node:crypto", () => {
    const importers = appFiles().filter((file) => /from "(node:)?crypto"/.test(fs.readFileSync(file, "utf8")));
    expect(importers).toEqual([path.join("app", "utils", "crypto.server.ts")]);
  });

  it("makes random tokens of the asked size, all different", () => {
    const tokens = new Set(Array.from({ length: 200 }, () => randomToken()));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(12)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(randomHex(4)).toMatch(/^[0-9a-f]{8}$/);
    expect(randomBytes(32)).toHaveLength(32);
  });

  it("draws integers below the bound, every value reachable, none far from its share; refuses a bound it cannot draw", () => {
    const seen = new Map<number, number>();
    for (let i = 0; i < 31 * 200; i++) {
      const value = randomBelow(31);
      seen.set(value, (seen.get(value) ?? 0) + 1);
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    // 200 expected per value: a value drawn under 100 or over 300 times would mean a broken draw, not bad luck.
    for (const count of seen.values()) expect(count).toBeGreaterThan(100);
    for (const count of seen.values()) expect(count).toBeLessThan(300);
    expect(randomBelow(1)).toBe(0);
    for (const bad of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) expect(() => randomBelow(bad)).toThrow(RangeError);
  });

  it("hashes as SHA-256, HMAC-SHA256 and HKDF-SHA256 do", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Base64url("abc")).toBe(createHash("sha256").update("abc").digest("base64url"));
    expect(Buffer.from(hmacSha256("key", "value"))).toEqual(createHmac("sha256", "key").update("value").digest());
    expect(Buffer.from(hkdfSha256("secret", "salt", "info"))).toEqual(Buffer.from(hkdfSync("sha256", "secret", "salt", "info", 32)));
    expect(hkdfSha256("secret", "salt", "info", 16)).toHaveLength(16);
  });

  it("seals with AES-256-GCM and opens only with the same key, iv and context", () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const { ciphertext, tag } = aesGcmSeal(key, iv, "user:1", "a secret");
    expect(new TextDecoder().decode(aesGcmOpen(key, iv, "user:1", ciphertext, tag)!)).toBe("a secret");
    expect(aesGcmOpen(key, iv, "user:2", ciphertext, tag)).toBeNull();
    expect(aesGcmOpen(randomBytes(32), iv, "user:1", ciphertext, tag)).toBeNull();
    const flipped = Buffer.from(ciphertext);
    flipped[0] = flipped[0]! ^ 1;
    expect(aesGcmOpen(key, iv, "user:1", flipped, tag)).toBeNull();
  });
});
