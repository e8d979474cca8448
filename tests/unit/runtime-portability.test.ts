import fs from "node:fs";
import { builtinModules } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { appFiles } from "../helpers/source-files";
import { decodeBase64url, decodeBase64urlText, encodeBase64url, encodeBase64urlText } from "~/utils/base64url";
import { clientNetwork, parseIPv4, parseIPv6, parseIpAddress } from "~/utils/ip-address";

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

/** What a module takes from Node: built-in modules it imports, and Node's globals it names (comments and strings aside). */
function nodeUse(file: string): { modules: string[]; globals: string[] } {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const modules = new Set<string>();
  const globals = new Set<string>();
  const isBuiltin = (name: string) => name.startsWith("node:") || builtinModules.includes(name);
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (isBuiltin(node.moduleSpecifier.text)) modules.add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      const loads = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require");
      if (loads && isBuiltin(node.arguments[0].text)) modules.add(node.arguments[0].text);
    } else if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) {
      // `x.process` or `{ process: … }` is a property of that name, not Node's global; `globalThis.process` is the global.
      const parent = node.parent;
      const onGlobalThis = ts.isPropertyAccessExpression(parent) && parent.name === node && ts.isIdentifier(parent.expression) && parent.expression.text === "globalThis";
      const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
      if (onGlobalThis || !isPropertyName) globals.add(node.text);
    } else if (ts.isPropertyAccessExpression(node) && ts.isMetaProperty(node.expression) && ["dirname", "filename"].includes(node.name.text)) {
      globals.add(`import.meta.${node.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { modules: [...modules].sort(), globals: [...globals].sort() };
}

const NODE_GLOBALS = new Set(["Buffer", "process", "setImmediate", "clearImmediate", "require", "__dirname", "__filename", "global"]);

/** The Node-only adapters in app/ (see the README's architecture), and what else may use a Node global, with why. */
const ADAPTERS: Record<string, string> = {
  [app("auth", "password.server.ts")]: "the bcrypt pool: worker threads",
  [app("auth", "password-worker.mjs")]: "the bcrypt pool's thread",
  [app("config.server.ts")]: "settings from the environment and ./data",
  [app("entry.server.tsx")]: "React's Node stream renderer",
  [app("logger.server.ts")]: "stdout, stderr and LOG_FILE",
  [app("mail", "mailer.server.ts")]: "SMTP and the development outbox",
  [app("utils", "crypto.server.ts")]: "synchronous hashes, HMAC, HKDF and AES-GCM",
  [app("utils", "project-root.server.ts")]: "where ./data is",
};
const NODE_GLOBAL_USERS: Record<string, string> = {
  // Its timer is also Node's (unref: it never keeps a stopping process alive); it runs in a Node worker by design.
  [app("housekeeping.server.ts")]: "logs which worker process ran it (process.pid)",
};

describe("Node-only parts stay behind their adapters", () => {
  const uses = new Map(appFiles().map((file) => [file, nodeUse(file)]));

  it("imports Node's built-in modules only in the adapters named in the README's architecture", () => {
    const importers = [...uses].filter(([, use]) => use.modules.length > 0).map(([file]) => file);
    expect(importers.sort()).toEqual(Object.keys(ADAPTERS).sort());
  });

  it("names Node's globals (Buffer, process, setImmediate, …) only in those adapters and the few listed", () => {
    const others = [...uses].filter(([file, use]) => use.globals.length > 0 && !(file in ADAPTERS)).map(([file, use]) => `${file}: ${use.globals.join(", ")}`);
    expect(others).toEqual(Object.keys(NODE_GLOBAL_USERS).map((file) => `${file}: process`));
  });

  it("sees an import or a global however it is written", () => {
    const file = path.join(os.tmpdir(), `node-use-${process.pid}.ts`);
    fs.writeFileSync(file, [
      "import fs from 'fs';",
      'import "node:timers";',
      'const os = await import("node:os");',
      'const { x } = require("path");',
      "// Buffer in a comment, and \"process\" in a string, are not uses",
      "const y = { process: 1 }.process;",
      "setImmediate(() => Buffer.alloc(1));",
      "const dns = await import(`node:dns`);",
      "const env = globalThis.process.env;",
      "const here = import.meta.dirname;",
    ].join("\n"));
    try {
      expect(nodeUse(file)).toEqual({
        modules: ["fs", "node:dns", "node:os", "node:timers", "path"],
        globals: ["Buffer", "import.meta.dirname", "process", "require", "setImmediate"],
      });
    } finally {
      fs.rmSync(file);
    }
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
  });

  it("groups clients: IPv4 by /24 or itself, IPv6 by /64, mapped IPv4 as IPv4, anything else as written", () => {
    expect(clientNetwork("203.0.113.9", 24)).toBe("203.0.113.0/24");
    expect(clientNetwork("203.0.113.9", 32)).toBe("203.0.113.9");
    for (const mapped of ["::ffff:203.0.113.9", "::ffff:cb00:7109", "0:0:0:0:0:FFFF:203.0.113.9", "::ffff:203.0.113.9%eth0"]) {
      expect(clientNetwork(mapped, 32)).toBe("203.0.113.9");
      expect(clientNetwork(mapped, 24)).toBe("203.0.113.0/24");
    }
    expect(clientNetwork("2001:DB8:0:1:2:3:4:5", 32)).toBe("2001:db8:0:1::/64");
    expect(clientNetwork("2001:db8:0:1::9", 24)).toBe("2001:db8:0:1::/64");
    expect(clientNetwork(" Unknown ", 24)).toBe("unknown");
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
