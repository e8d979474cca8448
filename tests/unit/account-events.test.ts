import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "~/db.server";
import { type AccountEvent, type Announcement, announce, announcingTransaction, onAccountEvent } from "~/events/events.server";
import { ACCOUNT_EVENT_LISTENERS } from "~/events/listeners.server";
import { logger } from "~/logger.server";
import { overrideConfig } from "../helpers/config";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink";
import { makeUser } from "../helpers/users";

const origin = { ip: "192.0.2.7", userAgent: "vitest" };

function recordsOf(userId: number) {
  return db.selectFrom("activity").select(["type", "actor_id", "subject_id", "ip", "created_at"]).where("subject_id", "=", userId).orderBy("id").execute();
}

describe("announce", () => {
  it("records the event, then every listener hears it with its origin, time and language", async () => {
    const user = await makeUser();
    const heard: { event: AccountEvent; announcement: Announcement; recorded: string[] }[] = [];
    const stop = onAccountEvent("test-1", async (event, announcement) => {
      // The record is written before any listener runs.
      heard.push({ event, announcement, recorded: (await recordsOf(user.id)).map((row) => row.type) });
    });
    try {
      await announce({ type: "passkey_renamed", actorId: user.id, details: { passkey: "Phone" } }, origin, { now: 1_700_000_000_000, language: "es" });
    } finally {
      stop();
    }
    await announce({ type: "logout", actorId: user.id }, origin);
    expect(heard).toEqual([
      {
        event: { type: "passkey_renamed", actorId: user.id, details: { passkey: "Phone" } },
        announcement: { origin, now: 1_700_000_000_000, language: "es" },
        recorded: ["passkey_renamed"],
      },
    ]);
    const rows = await recordsOf(user.id);
    expect(rows.map((row) => [row.type, row.ip])).toEqual([
      ["passkey_renamed", origin.ip],
      ["logout", origin.ip],
    ]);
    expect(Number(rows[0]!.created_at)).toBe(1_700_000_000_000);
  });

  it("logs a listener that fails and goes on: the change and its record stand, later listeners still hear it", async () => {
    const user = await makeUser();
    const errors = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const later: string[] = [];
    const stopFailing = onAccountEvent("test-2", () => {
      throw new Error("webhook down");
    });
    const stopLater = onAccountEvent("test-3", (event) => void later.push(event.type));
    try {
      await expect(announce({ type: "passkey_added", actorId: user.id }, origin)).resolves.toBeUndefined();
      expect(errors).toHaveBeenCalledWith(expect.objectContaining({ type: "passkey_added" }), "an account event listener failed");
    } finally {
      stopFailing();
      stopLater();
      errors.mockRestore();
    }
    expect(later).toEqual(["passkey_added"]);
    expect((await recordsOf(user.id)).map((row) => row.type)).toEqual(["passkey_added"]);
  });

  it("hears each name once: a listener registered again under its name replaces the old one (a dev reload), and the notices are registered", async () => {
    const user = await makeUser();
    const heard: string[] = [];
    onAccountEvent("test-webhook", () => void heard.push("first"));
    const stop = onAccountEvent("test-webhook", () => void heard.push("second"));
    try {
      await announce({ type: "logout", actorId: user.id }, origin);
    } finally {
      stop();
    }
    await announce({ type: "logout", actorId: user.id }, origin);
    expect(heard).toEqual(["second"]);
    expect(Object.keys(ACCOUNT_EVENT_LISTENERS)).toEqual(["notices"]);
  });

  it("inside announcingTransaction: records in the transaction, and listeners hear the event after the commit, never after a rollback", async () => {
    const user = await makeUser();
    const heard: string[][] = [];
    // The listener reads the database: on SQLite's one connection it would wait forever inside the transaction.
    const stop = onAccountEvent("test-4", async () => void heard.push((await recordsOf(user.id)).map((row) => row.type)));
    try {
      await announcingTransaction(async (trx) => {
        await announce({ type: "passkey_removed", actorId: user.id }, origin, { within: trx });
        expect(heard).toEqual([]);
      });
      await expect(
        announcingTransaction(async (trx) => {
          await announce({ type: "account_deleted", actorId: user.id }, origin, { within: trx });
          throw new Error("the change failed");
        }),
      ).rejects.toThrow("the change failed");
    } finally {
      stop();
    }
    expect(heard).toEqual([["passkey_removed"]]);
    expect((await recordsOf(user.id)).map((row) => row.type)).toEqual(["passkey_removed"]);
  });

  it("refuses a transaction that did not come from announcingTransaction (its listeners would have no commit to wait for)", async () => {
    const user = await makeUser();
    await expect(db.transaction().execute((trx) => announce({ type: "passkey_removed", actorId: user.id }, origin, { within: trx }))).rejects.toThrow(
      /announcingTransaction/,
    );
    expect(await recordsOf(user.id)).toEqual([]);
  });
});

describe("notices (the built-in listener)", () => {
  let sink: SmtpSink;
  let restore: () => void;
  beforeAll(async () => {
    sink = await startSmtpSink();
    restore = overrideConfig({ smtpUrl: sink.url });
  });
  afterAll(async () => {
    restore?.();
    await sink?.stop();
  });

  it("tells the owner of the account an event concerns, in the language they chose, else the request's", async () => {
    const admin = await makeUser();
    const owner = await makeUser();
    const spanish = await makeUser();
    await db.updateTable("users").set({ language: "es" }).where("id", "=", spanish.id).execute();

    await announce({ type: "two_factor_reset", actorId: admin.id, subjectId: owner.id }, origin, { language: "es" });
    await announce({ type: "password_changed", actorId: spanish.id }, origin, { language: "en" });

    expect(sink.mailsTo(admin.email)).toEqual([]);
    const [reset] = sink.mailsTo(owner.email);
    expect(reset?.subject).toMatch(/Se restableció la verificación en dos pasos/);
    const [changed] = sink.mailsTo(spanish.email);
    expect(changed?.subject).toMatch(/Se cambió tu contraseña/);
  });

  it("sends one mail for each noticed event, and none for the others", async () => {
    const user = await makeUser();
    for (const type of ["two_factor_enabled", "recovery_codes_regenerated", "two_factor_disabled", "password_reset"] as const) {
      await announce({ type, actorId: user.id }, origin);
    }
    for (const type of ["login_succeeded", "passkey_added", "sessions_revoked", "email_changed"] as const) {
      await announce({ type, actorId: user.id }, origin);
    }
    expect(sink.mailsTo(user.email).map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/Two-factor authentication is on/),
      expect.stringMatching(/New recovery codes were created/),
      expect.stringMatching(/Two-factor authentication is off/),
      expect.stringMatching(/password was changed/),
    ]);
  });

  it("does not fail the event when the notice cannot be delivered", async () => {
    const user = await makeUser();
    const undeliverable = overrideConfig({ smtpUrl: "smtp://127.0.0.1:9" });
    const warnings = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    try {
      await expect(announce({ type: "password_changed", actorId: user.id }, origin)).resolves.toBeUndefined();
      expect(warnings).toHaveBeenCalledWith({ userId: user.id, type: "password_changed" }, "notice not sent");
    } finally {
      warnings.mockRestore();
      undeliverable();
    }
    expect((await recordsOf(user.id)).map((row) => row.type)).toEqual(["password_changed"]);
    expect(sink.mailsTo(user.email)).toEqual([]);
  });
});
