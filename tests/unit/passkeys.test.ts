import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authenticationOptions,
  CHALLENGE_MAX_AGE_MS,
  countPasskeys,
  deleteExpiredChallenges,
  listPasskeys,
  parseAuthenticationResponse,
  PasskeyError,
  registerPasskey,
  registrationOptions,
  relyingParty,
  removePasskeys,
  renamePasskey,
  verifyPasskey,
} from "~/auth/passkeys.server";
import { db } from "~/db.server";
import { overrideConfig } from "../helpers/config";
import { makeUser } from "../helpers/users";
import { SoftAuthenticator } from "../helpers/webauthn";

const ORIGIN = "http://localhost:4321";
const ORIGIN_INFO = { ip: "127.0.0.1", userAgent: "unit" };
let restore: () => void;
beforeAll(() => {
  restore = overrideConfig({ appOrigin: ORIGIN });
});
afterAll(() => restore());

/** A user with one passkey on `authenticator`. */
async function userWithPasskey(authenticator = new SoftAuthenticator(ORIGIN)) {
  const user = await makeUser();
  const options = await registrationOptions(user);
  const row = await registerPasskey(user.id, "Test key", JSON.stringify(authenticator.register(options)), ORIGIN_INFO);
  return { user, authenticator, row };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PasskeyError);
  return (error as PasskeyError).reason;
}

async function loginWith(authenticator: SoftAuthenticator, tweaks = {}, now = Date.now()) {
  const options = await authenticationOptions("login", null, now);
  return parseAuthenticationResponse(JSON.stringify(authenticator.assert(options, tweaks)));
}

async function counterOf(id: number): Promise<number> {
  const row = await db.selectFrom("passkeys").select("counter").where("id", "=", id).executeTakeFirstOrThrow();
  return Number(row.counter);
}

describe("the relying party", () => {
  it("is APP_ORIGIN: its host name is the RP id, the origin the only one accepted", () => {
    expect(relyingParty("https://app.example.com")).toMatchObject({ id: "app.example.com", origin: "https://app.example.com" });
    expect(relyingParty("http://localhost:3000")).toMatchObject({ id: "localhost", origin: "http://localhost:3000" });
  });
});

describe("registering a passkey", () => {
  it("stores the credential id, public key, counter, transports and flags", async () => {
    const { user, authenticator, row } = await userWithPasskey();
    expect(row).toMatchObject({ user_id: user.id, name: "Test key", credential_id: authenticator.id, transports: '["internal"]', backed_up: 0 });
    expect(row.public_key.length).toBeGreaterThan(40);
    expect(Number(row.counter)).toBe(0);
    expect(await listPasskeys(user.id)).toEqual([expect.objectContaining({ name: "Test key", lastUsedAt: null })]);
  });

  it("asks for a discoverable credential with user verification, excluding the user's own", async () => {
    const { user, authenticator } = await userWithPasskey();
    const options = await registrationOptions(user);
    expect(options.rp.id).toBe("localhost");
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
  });

  it("refuses a response without user verification, for another origin, or a registered credential again", async () => {
    const user = await makeUser();
    const authenticator = new SoftAuthenticator(ORIGIN);
    const register = async (tweaks = {}) =>
      registerPasskey(user.id, "k", JSON.stringify(authenticator.register(await registrationOptions(user), tweaks)), ORIGIN_INFO);
    expect(await refusal(register({ userVerified: false }))).toBe("user-verification");
    expect(await refusal(register({ origin: "http://evil.example" }))).toBe("origin");
    expect(await refusal(register({ rpId: "evil.example" }))).toBe("rp-id");
    await register();
    expect(await refusal(register())).toBe("duplicate");
    expect(await countPasskeys(user.id)).toBe(1);
  });

  it("refuses a challenge made for another user", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const options = await registrationOptions(other);
    const response = new SoftAuthenticator(ORIGIN).register(options);
    expect(await refusal(registerPasskey(user.id, "k", JSON.stringify(response), ORIGIN_INFO))).toBe("challenge");
  });

  it("refuses a response that is not the JSON it should be", async () => {
    const user = await makeUser();
    for (const text of [undefined, "", "{", "[]", JSON.stringify({ id: "x" }), "x".repeat(70_000)]) {
      expect(await refusal(registerPasskey(user.id, "k", text, ORIGIN_INFO))).toBe("malformed");
    }
  });
});

describe("signing in with a passkey", () => {
  it("accepts a verified assertion and saves the counter and last use", async () => {
    const { user, row, authenticator } = await userWithPasskey();
    const passkey = await verifyPasskey(await loginWith(authenticator), { purpose: "login", userId: null });
    expect(passkey.user_id).toBe(user.id);
    expect(await counterOf(row.id)).toBe(1);
    expect((await listPasskeys(user.id))[0]!.lastUsedAt).not.toBeNull();
  });

  it("uses a challenge once: a replayed assertion is refused and changes nothing", async () => {
    const { row, authenticator } = await userWithPasskey();
    const response = await loginWith(authenticator);
    await verifyPasskey(response, { purpose: "login", userId: null });
    expect(await refusal(verifyPasskey(response, { purpose: "login", userId: null }))).toBe("challenge");
    expect(await counterOf(row.id)).toBe(1);
  });

  it("refuses an expired challenge, and housekeeping removes it", async () => {
    const { authenticator } = await userWithPasskey();
    const past = Date.now() - CHALLENGE_MAX_AGE_MS - 1000;
    const response = await loginWith(authenticator, {}, past);
    expect(await refusal(verifyPasskey(response, { purpose: "login", userId: null }))).toBe("challenge");
    await authenticationOptions("login", null, past);
    expect(await deleteExpiredChallenges()).toBeGreaterThanOrEqual(1);
  });

  it("refuses a challenge made for another purpose", async () => {
    const { user, authenticator } = await userWithPasskey();
    const options = await authenticationOptions("reauthenticate", user.id);
    const response = parseAuthenticationResponse(JSON.stringify(authenticator.assert(options)));
    expect(await refusal(verifyPasskey(response, { purpose: "login", userId: null }))).toBe("challenge");
  });

  it("refuses a wrong origin or RP id, and a missing user verification", async () => {
    const { row, authenticator } = await userWithPasskey();
    expect(await refusal(verifyPasskey(await loginWith(authenticator, { origin: "https://evil.example" }), { purpose: "login", userId: null }))).toBe("origin");
    expect(await refusal(verifyPasskey(await loginWith(authenticator, { rpId: "evil.example" }), { purpose: "login", userId: null }))).toBe("rp-id");
    expect(await refusal(verifyPasskey(await loginWith(authenticator, { userVerified: false }), { purpose: "login", userId: null }))).toBe(
      "user-verification",
    );
    expect(await counterOf(row.id)).toBe(0);
  });

  it("refuses a counter that goes backwards (or stands still) for a passkey that counts", async () => {
    const { row, authenticator } = await userWithPasskey();
    await verifyPasskey(await loginWith(authenticator, { counter: 5 }), { purpose: "login", userId: null });
    expect(await refusal(verifyPasskey(await loginWith(authenticator, { counter: 3 }), { purpose: "login", userId: null }))).toBe("counter");
    expect(await refusal(verifyPasskey(await loginWith(authenticator, { counter: 5 }), { purpose: "login", userId: null }))).toBe("counter");
    expect(await counterOf(row.id)).toBe(5);
    await verifyPasskey(await loginWith(authenticator, { counter: 6 }), { purpose: "login", userId: null });
    expect(await counterOf(row.id)).toBe(6);
  });

  it("accepts a passkey that does not count (counter always 0) every time", async () => {
    const { row, authenticator } = await userWithPasskey(new SoftAuthenticator(ORIGIN, undefined, { counts: false }));
    for (let i = 0; i < 2; i++) await verifyPasskey(await loginWith(authenticator), { purpose: "login", userId: null });
    expect(await counterOf(row.id)).toBe(0);
  });

  it("refuses an unknown credential, and a forged signature", async () => {
    const { authenticator } = await userWithPasskey();
    expect(await refusal(verifyPasskey(await loginWith(new SoftAuthenticator(ORIGIN)), { purpose: "login", userId: null }))).toBe(
      "unknown-credential",
    );
    const response = await loginWith(authenticator);
    const forged = { ...response, response: { ...response.response, signature: (await loginWith(new SoftAuthenticator(ORIGIN))).response.signature } };
    expect(await refusal(verifyPasskey(forged, { purpose: "login", userId: null }))).toBe("signature");
  });
});

describe("reauthenticating with a passkey", () => {
  it("lists only the user's own passkeys and accepts one of them", async () => {
    const { user, authenticator } = await userWithPasskey();
    const options = await authenticationOptions("reauthenticate", user.id);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    const response = parseAuthenticationResponse(JSON.stringify(authenticator.assert(options)));
    expect((await verifyPasskey(response, { purpose: "reauthenticate", userId: user.id })).user_id).toBe(user.id);
  });

  it("refuses another user's passkey", async () => {
    const { user } = await userWithPasskey();
    const { authenticator: theirs } = await userWithPasskey();
    const options = await authenticationOptions("reauthenticate", user.id);
    const response = parseAuthenticationResponse(JSON.stringify(theirs.assert(options)));
    const error = await verifyPasskey(response, { purpose: "reauthenticate", userId: user.id }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "other-user", userId: user.id });
  });
});

describe("managing passkeys", () => {
  it("renames and removes only the user's own", async () => {
    const { user, row } = await userWithPasskey();
    const { user: other } = await userWithPasskey();
    expect(await renamePasskey(other.id, row.id, "Stolen", ORIGIN_INFO)).toBe(false);
    expect(await renamePasskey(user.id, row.id, "MacBook Touch ID", ORIGIN_INFO)).toBe(true);
    expect((await listPasskeys(user.id))[0]!.name).toBe("MacBook Touch ID");
    expect(await removePasskeys(other.id, row.id, { actorId: other.id, origin: ORIGIN_INFO })).toEqual([]);
    expect(await removePasskeys(user.id, row.id, { actorId: user.id, origin: ORIGIN_INFO })).toEqual(["MacBook Touch ID"]);
    expect(await countPasskeys(user.id)).toBe(0);
    expect(await countPasskeys(other.id)).toBe(1);
  });

  it("removes all of a user's passkeys at once (admin, CLI) and records it", async () => {
    const { user } = await userWithPasskey();
    await registerPasskey(user.id, "Second", JSON.stringify(new SoftAuthenticator(ORIGIN).register(await registrationOptions(user))), ORIGIN_INFO);
    expect(await removePasskeys(user.id, null, { actorId: null, origin: ORIGIN_INFO })).toHaveLength(2);
    const entry = await db.selectFrom("activity").selectAll().where("subject_id", "=", user.id).where("type", "=", "passkey_removed").executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details)).toEqual({ passkeys: 2 });
  });
});

