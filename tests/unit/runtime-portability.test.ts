import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeBase64url, decodeBase64urlText, encodeBase64url, encodeBase64urlText } from "~/utils/base64url";
import { ipv6Network, parseIPv4, parseIPv6, parseIpAddress } from "~/utils/ip-address";

/** Every source file under app/, relative to the project root. */
function appFiles(dir = "app"): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? appFiles(file) : /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

const app = (...parts: string[]) => path.join("app", ...parts);

/** A small deterministic generator (mulberry32), so that a failure names a string that fails again. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % below) as number;
  };
}

describe("Node-only parts stay behind their adapters", () => {
  it("imports node: modules only in the adapters named in the README's architecture", () => {
    const importers = appFiles()
      .filter((file) => /from "node:|import\("node:|require\("node:/.test(fs.readFileSync(file, "utf8")))
      .sort();
    expect(importers).toEqual(
      [
        app("auth", "password.server.ts"), // the bcrypt pool (worker threads)
        app("config.server.ts"), // settings from the environment and ./data
        app("entry.server.tsx"), // React's Node stream renderer
        app("logger.server.ts"), // stdout and LOG_FILE
        app("mail", "mailer.server.ts"), // SMTP and the development outbox
        app("utils", "crypto.server.ts"), // synchronous hashes and AES-GCM
        app("utils", "project-root.server.ts"), // where ./data is
      ].sort(),
    );
  });

  it("uses Buffer only in the crypto, mail and rendering adapters", () => {
    const users = appFiles()
      .filter((file) => /\bBuffer\b/.test(fs.readFileSync(file, "utf8")))
      .sort();
    expect(users).toEqual([app("entry.server.tsx"), app("mail", "mailer.server.ts"), app("utils", "crypto.server.ts")].sort());
  });
});

describe("IP addresses without node:net", () => {
  const known = [
    "0.0.0.0", "255.255.255.255", "203.0.113.9", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", " 1.2.3.4", "1.2.3.4 ",
    "1..2.3", "", ".", "::", ":::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
    "1::2:3:4:5:6:7", "1:2:3:4:5:6:7::8", "1::2::3", "12345::", "g::", "::ffff:1.2.3.4", "::ffff:1.2.3.256", "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5::1.2.3.4", "::1.2.3.4", "1.2.3.4::", "1.2.3.4::1", "fe80::1%eth0", "fe80::1%", "fe80::1%eth 0",
    "fe80::1%a.b:c-d", "1.2.3.4%eth0", "::ffff:1.2.3.4%3", "2001:DB8::ABCD", "2001:db8:0:0:0:0:0:1", ":1::2", "1::2:", "1:2:3:4:5:6:7:",
    "::ffff:c000:0201", "0:0:0:0:0:ffff:1.2.3.4", "[::1]", "::1/64",
  ];

  it("accepts exactly what node:net accepts", () => {
    const random = seeded(20261207);
    const alphabet = "0123456789abcdefABCDEF:.%:::..gz- ";
    const corpus = [...known];
    // Mutations of valid addresses: near-misses are where a hand-written parser goes wrong.
    const valid = known.filter((text) => net.isIP(text) !== 0);
    for (let i = 0; i < 6000; i++) {
      let text = valid[random(valid.length)]!;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const char = alphabet[random(alphabet.length)]!;
        const kind = random(3);
        text = kind === 0 ? text.slice(0, at) + char + text.slice(at) : kind === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + char + text.slice(at + 1);
      }
      corpus.push(text);
    }
    const mismatches = corpus.filter(
      (text) => (parseIPv4(text) !== null) !== net.isIPv4(text) || (parseIPv6(text) !== null) !== net.isIPv6(text),
    );
    expect(mismatches).toEqual([]);
    // The corpus is not all noise: many of its strings are addresses.
    expect(corpus.filter((text) => net.isIPv6(text)).length).toBeGreaterThan(500);
  });

  it("reads the same address as the URL parser does", () => {
    const random = seeded(7);
    for (let i = 0; i < 500; i++) {
      const groups = Array.from({ length: 8 }, () => (random(3) === 0 ? 0 : random(0x10000)));
      const full = groups.map((group) => group.toString(16)).join(":");
      // The URL parser writes the shortest form (the longest run of zero groups as ::), a different text for the same address.
      const shortest = new URL(`http://[${full}]/`).hostname.slice(1, -1);
      expect(parseIPv6(shortest)).toEqual(groups);
      expect(parseIPv6(full.toUpperCase())).toEqual(groups);
    }
    expect(parseIPv6("::ffff:192.0.2.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]);
    expect(parseIPv6("fe80::1%eth0")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("reads IPv4-mapped IPv6 as the IPv4 address it maps, however written", () => {
    for (const text of ["::ffff:192.0.2.1", "::FFFF:c000:201", "0:0:0:0:0:ffff:192.0.2.1", " 192.0.2.1 "]) {
      expect(parseIpAddress(text)).toEqual({ version: 4, octets: [192, 0, 2, 1] });
    }
    expect(parseIpAddress("::1")).toEqual({ version: 6, groups: [0, 0, 0, 0, 0, 0, 0, 1] });
    expect(parseIpAddress("unknown")).toBeNull();
    expect(ipv6Network([0x2001, 0xdb8, 0, 1, 2, 3, 4, 5])).toBe("2001:db8:0:1::/64");
  });
});

describe("base64url without Buffer", () => {
  it("encodes and decodes as Buffer does, at every length", () => {
    const random = seeded(42);
    for (let length = 0; length < 200; length++) {
      const bytes = Uint8Array.from({ length }, () => random(256));
      const text = encodeBase64url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64url"));
      expect(decodeBase64url(text)).toEqual(bytes);
    }
    const large = Uint8Array.from({ length: 100_000 }, (_, i) => i % 256);
    expect(encodeBase64url(large)).toBe(Buffer.from(large).toString("base64url"));
  });

  it("refuses what is not base64url instead of skipping it", () => {
    for (const text of ["a", "abcde", "ab+c", "ab/c", "ab=c", "QQ==", "a b c d", "é"]) expect(decodeBase64url(text)).toBeNull();
    expect(decodeBase64url("")).toEqual(new Uint8Array());
  });

  it("carries UTF-8 text", () => {
    const text = "café · 東京 · 🔑";
    expect(encodeBase64urlText(text)).toBe(Buffer.from(text).toString("base64url"));
    expect(decodeBase64urlText(encodeBase64urlText(text))).toBe(text);
    expect(encodeBase64urlText("42")).toBe("NDI");
    expect(decodeBase64urlText("%%")).toBeNull();
  });
});
