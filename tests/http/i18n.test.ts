import { describe, expect, it } from "vitest";
import { Client, grantRole, PASSWORD, registerClient, startServer, type TestServer, uniqueEmail, useServerWithMail } from "../helpers/server";
import type { SmtpSink } from "../helpers/smtp-sink";

/**
 * English and Spanish (app/i18n): the language comes from the signed-in
 * user's saved choice, else the switch's cookie, else Accept-Language, else
 * English; the layout's switch is a plain form (no JavaScript needed).
 */

let server: TestServer;
let sink: SmtpSink;
useServerWithMail({ APP_ORIGIN: "http://accounts.test" }, (started) => ({ server, sink } = started));

const SPANISH = { "Accept-Language": "es-ES,es;q=0.9,en;q=0.5" };
const htmlLang = (html: string) => /<html lang="([a-z]+)"/.exec(html)?.[1];

describe("the page language", () => {
  it("is English by default and Spanish for a browser that asks for it, with <html lang>", async () => {
    const english = await (await new Client(server.url).get("/login")).text();
    expect(htmlLang(english)).toBe("en");
    expect(english).toContain("<title>Log in · Remix Auth Kit</title>");

    const response = await new Client(server.url).get("/login", { headers: SPANISH });
    expect(response.status).toBe(200);
    const spanish = await response.text();
    expect(htmlLang(spanish)).toBe("es");
    expect(spanish).toContain("<title>Iniciar sesión · Remix Auth Kit</title>");
    expect(spanish).toContain("¿Olvidaste tu contraseña?");
    expect(spanish).toContain(">Correo electrónico</label>");
    expect(spanish).not.toContain("Forgot your password?");
    // The switch offers the other language, as a plain form.
    expect(spanish).toMatch(/<form method="post" action="\/language"[^>]*>.*?name="language" value="en"/s);
  });

  it("answers a bad login in Spanish", async () => {
    const client = new Client(server.url);
    const response = await client.post("/login", { email: uniqueEmail("nobody"), password: "wrong-password-1" }, { headers: SPANISH });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Correo electrónico o contraseña incorrectos.");
    const empty = await (await client.post("/login", { email: "", password: "" }, { headers: SPANISH })).text();
    expect(empty).toContain("El correo electrónico es obligatorio.");
    expect(empty).toContain("La contraseña es obligatoria.");
  });

  it("switches without JavaScript: a form post, a cookie, and back to the same page", async () => {
    const client = new Client(server.url);
    const switched = await client.post("/language", { language: "es", redirectTo: "/forgot-password?x=1" });
    expect(switched.status).toBe(302);
    expect(switched.headers.get("Location")).toBe("/forgot-password?x=1");
    expect(switched.headers.get("Set-Cookie")).toMatch(/^lang=es; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly/);
    // The cookie beats the browser's Accept-Language.
    const page = await (await client.get("/forgot-password", { headers: { "Accept-Language": "en" } })).text();
    expect(htmlLang(page)).toBe("es");
    expect(page).toContain("Enviar el enlace");

    // Only same-site redirects; an unknown language is a 400 with a message.
    const offsite = await client.post("/language", { language: "en", redirectTo: "https://evil.example/" });
    expect(offsite.headers.get("Location")).toBe("/");
    const unknown = await client.post("/language", { language: "fr", redirectTo: "/" });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("English or Spanish");
  });

  it("saves a signed-in user's choice, which beats Accept-Language and the cookie, also in their next session", async () => {
    const { client, email } = await registerClient(server);
    expect(htmlLang(await (await client.get("/dashboard", { headers: SPANISH })).text())).toBe("es");
    await client.post("/language", { language: "en", redirectTo: "/dashboard" });
    const user = await server.db.selectFrom("users").select("language").where("email", "=", email).executeTakeFirstOrThrow();
    expect(user.language).toBe("en");
    expect(htmlLang(await (await client.get("/dashboard", { headers: SPANISH })).text())).toBe("en");

    // A fresh browser that asks for Spanish and has a Spanish cookie: the saved English wins once signed in.
    const other = new Client(server.url);
    other.cookies.set("lang", "es");
    expect(htmlLang(await (await other.get("/login")).text())).toBe("es");
    expect((await other.post("/login", { email, password: PASSWORD }, { headers: SPANISH })).status).toBe(302);
    expect(htmlLang(await (await other.get("/dashboard", { headers: SPANISH })).text())).toBe("en");
  });

  it("describes the built-in roles in the page's language, and a role text an operator changed as written", async () => {
    const { client, email } = await registerClient(server);
    await grantRole(server, email, "admin");
    const roleHint = async () => /<p id="role-hint"[^>]*>(.*?)<\/p>/s.exec(await (await client.get("/admin/users/new", { headers: SPANISH })).text())?.[1];
    const hint = await roleHint();
    expect(hint).toContain("admin: Gestiona los usuarios y lee el registro de auditoría");
    expect(hint).not.toContain("Manages users");
    await server.db.updateTable("roles").set({ description: "Runs the place" }).where("name", "=", "admin").execute();
    try {
      expect(await roleHint()).toContain("admin: Runs the place");
    } finally {
      await server.db.updateTable("roles").set({ description: "Manages users and reads the audit log" }).where("name", "=", "admin").execute();
    }
  });

  it("sends a reset mail in the language of the request, for an account that chose none", async () => {
    const { email } = await registerClient(server);
    const response = await new Client(server.url).post("/forgot-password", { email }, { headers: SPANISH });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`Si existe una cuenta para ${email}`);
    const mail = await sink.waitForMail(email, { subject: /^Restablece tu contraseña de Remix Auth Kit$/ });
    expect(mail.text).toContain("Hola, Http User:");
    expect(mail.text).toContain("Elegir una contraseña nueva:\nhttp://accounts.test/reset-password?token=");
    expect(mail.text).toMatch(/caduca en 1 hora\./);
    expect(mail.html).toContain('<html lang="es">');
  });

  it("sends a mail in the account's saved language, whatever the request's", async () => {
    const { client, email } = await registerClient(server);
    await client.post("/language", { language: "es", redirectTo: "/" });
    const response = await new Client(server.url).post("/forgot-password", { email }, { headers: { "Accept-Language": "en" } });
    expect(await response.text()).toContain(`If an account exists for ${email}`);
    const mail = await sink.waitForMail(email, { subject: /^Restablece tu contraseña/ });
    expect(mail.text).toContain("Alguien (esperamos que tú) pidió restablecer la contraseña de tu cuenta.");
  });

  it("says the login-required flash in the visitor's language, and the 429 page too", async () => {
    const client = new Client(server.url);
    const sent = await client.get("/dashboard", { headers: SPANISH });
    expect(sent.status).toBe(302);
    expect(await (await client.get(sent.headers.get("Location")!, { headers: SPANISH })).text()).toContain("Inicia sesión para acceder a esta página.");

    // LOGIN_RATE_LIMIT (5 per minute per account): the sixth try is refused, in Spanish, with the time to wait.
    const email = uniqueEmail("locked");
    for (let i = 0; i < 5; i++) await client.post("/login", { email, password: "wrong-password-1" }, { headers: SPANISH });
    const limited = await client.post("/login", { email, password: "wrong-password-1" }, { headers: SPANISH });
    expect(limited.status).toBe(429);
    const page = await limited.text();
    expect(page).toContain("Demasiados intentos");
    expect(page).toMatch(/Demasiados intentos\. Vuelve a intentarlo en \d+ (segundos|minuto|minutos) \(después de las \d\d:\d\d:\d\d UTC\)\./);
  });
});

describe("operator texts", () => {
  it("LOGIN_MESSAGE, when set, is shown as set in every language", async () => {
    const custom = await startServer({ LOGIN_MESSAGE: "Members only: sign in first." });
    try {
      const client = new Client(custom.url);
      const sent = await client.get("/dashboard", { headers: SPANISH });
      const page = await (await client.get(sent.headers.get("Location")!, { headers: SPANISH })).text();
      expect(htmlLang(page)).toBe("es");
      expect(page).toContain("Members only: sign in first.");
      expect(page).not.toContain("Inicia sesión para acceder a esta página.");
    } finally {
      await custom.stop();
    }
  });
});
