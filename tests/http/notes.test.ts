import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDatabaseUrl, serverDatabase } from "../helpers/database";
import { Client, registerClient, startServer, type TestServer } from "../helpers/server";

/** The notes example's pages (the JSON API has its own tests in api-tokens.test.ts). */
describe("notes pages", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({}, serverDatabase(await newDatabaseUrl()));
  });
  afterAll(() => server.stop());

  async function addNote(client: Client, title: string, body = ""): Promise<string> {
    const response = await client.post("/dashboard/notes", { title, body });
    expect(response.status).toBe(302);
    return response.headers.get("Location")!;
  }

  it("edits a note: the form shows its text, saving changes it and says so", async () => {
    const { client } = await registerClient(server);
    const notePath = await addNote(client, "Groceries", "Milk");
    const form = await (await client.get(`${notePath}/edit`)).text();
    expect(form).toContain('value="Groceries"');
    expect(form).toMatch(/<textarea[^>]*>Milk<\/textarea>/);

    const saved = await client.post(`${notePath}/edit`, { title: "  Groceries for Sunday ", body: "Milk, eggs" });
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location")).toBe(notePath);
    const page = await (await client.get(notePath)).text();
    expect(page).toContain("Groceries for Sunday");
    expect(page).toContain("Milk, eggs");
    expect(page).toContain("Note saved.");
  });

  it("an empty title is refused with a 400 and a message; the note keeps its text", async () => {
    const { client } = await registerClient(server);
    const notePath = await addNote(client, "Keep me", "Body");
    const refused = await client.post(`${notePath}/edit`, { title: " ", body: "Other" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Title is required.");
    const page = await (await client.get(notePath)).text();
    expect(page).toContain("Keep me");
    expect(page).not.toContain("Other");
  });

  it("another user's note, or no note at all, is a 404 for the edit page and its action", async () => {
    const { client: owner } = await registerClient(server, "Owner");
    const notePath = await addNote(owner, "Private");
    const { client: other } = await registerClient(server, "Other");
    expect((await other.get(`${notePath}/edit`)).status).toBe(404);
    expect((await other.post(`${notePath}/edit`, { title: "Taken over" })).status).toBe(404);
    expect((await other.get("/dashboard/notes/abc/edit")).status).toBe(404);
    expect(await (await owner.get(notePath)).text()).toContain("Private");
  });

  it("an anonymous edit goes to log in and changes nothing", async () => {
    const { client } = await registerClient(server);
    const notePath = await addNote(client, "Mine");
    const anonymous = new Client(server.url);
    const response = await anonymous.post(`${notePath}/edit`, { title: "Anon" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect(await (await client.get(notePath)).text()).toContain("Mine");
  });
});
