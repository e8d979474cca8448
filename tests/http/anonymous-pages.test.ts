import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, PASSWORD, registerClient, startServer, type TestServer } from "../helpers/server";

/**
 * Public pages for visitors without cookies are rendered once per process and
 * then answered from memory (server/anonymous-pages.ts). What must hold: each
 * answer carries its own nonce, everywhere the page uses one; nothing about
 * one visitor reaches another; anyone with a cookie or a query gets a page
 * rendered for them.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const anon = () => new Client(server.url);
const nonceOf = (response: Response) => /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy")!)![1]!;

describe("public pages for visitors without cookies", () => {
  it.each(["/", "/login", "/register", "/forgot-password"])("%s: the same page each time, with this answer's own nonce on every script", async (path) => {
    const answers = await Promise.all([1, 2, 3].map(() => anon().get(path)));
    const pages: string[] = [];
    for (const response of answers) {
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      expect(response.headers.get("Set-Cookie")).toBeNull();
      const nonce = nonceOf(response);
      const html = await response.text();
      const scripts = html.match(/<script\b[^>]*>/g)!;
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      expect(html).not.toContain("\u0000");
      pages.push(html.replaceAll(nonce, "NONCE"));
    }
    expect(new Set(answers.map(nonceOf)).size).toBe(3);
    expect(pages[1]).toBe(pages[0]);
    expect(pages[2]).toBe(pages[0]);
  });

  it("carries no development code in production: no live-reload script, no WebSocket in the CSP", async () => {
    for (const response of [await anon().get("/"), await (await registerClient(server)).client.get("/dashboard")]) {
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain("remixLiveReloadConnect");
      expect(response.headers.get("Content-Security-Policy")).not.toContain("ws:");
    }
  });

  it("never shows one visitor's flash message to the next, and still shows it to its owner", async () => {
    await anon().get("/");
    const { client } = await registerClient(server, "Flash Owner");
    const deleted = await client.post("/settings/delete-account", { password: PASSWORD });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("Location")).toBe("/");

    const owner = await (await client.get("/")).text();
    expect(owner).toContain("Your account has been deleted.");
    const stranger = await (await anon().get("/")).text();
    expect(stranger).not.toContain("Your account has been deleted.");
  });

  it("renders for a signed-in visitor, not from the anonymous page", async () => {
    await anon().get("/");
    const { client } = await registerClient(server, "Signed In Visitor");
    const home = await (await client.get("/")).text();
    expect(home).toContain("Signed In Visitor");
    expect(await (await anon().get("/")).text()).not.toContain("Signed In Visitor");
  });

  it("renders a page with a query for its own request (the redirect target stays in the form)", async () => {
    await anon().get("/login");
    const html = await (await anon().get("/login?redirectTo=%2Fsettings%2Fsessions")).text();
    expect(html).toContain("/settings/sessions");
    expect(await (await anon().get("/login")).text()).not.toContain("/settings/sessions");
  });
});
