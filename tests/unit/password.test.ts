import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { verifyCredentials } from "~/auth/authenticator.server";
import { hashCost, hashPassword, needsRehash, verifyPassword } from "~/auth/password.server";
import { parseForm, RegisterSchema } from "~/auth/validation";
import { db } from "~/db.server";
import { findUserById, setUserActive } from "~/users/users.server";
import { overrideConfig } from "../helpers/config";
import { makeUser, TEST_PASSWORD, uniqueEmail } from "../helpers/users";
import { i18nFor } from "~/i18n/i18n.server";

const { t } = i18nFor("en");

function form(fields: Record<string, string | string[] | Blob>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) data.append(key, v);
  }
  return data;
}

describe("password rules (registration)", () => {
  const valid = { name: "Ann", email: "ann@example.com", password: "long enough" };

  it("accepts a valid form, normalising the email and trimming the name", () => {
    const result = parseForm(form({ ...valid, email: "  Ann@Example.COM ", name: "  Ann " }), RegisterSchema, t);
    expect(result).toEqual({ success: true, data: { name: "Ann", email: "ann@example.com", password: "long enough" } });
  });

  it("refuses a password under 8 characters", () => {
    const result = parseForm(form({ ...valid, password: "short" }), RegisterSchema, t);
    expect(result).toEqual({ success: false, errors: { password: "Password must be at least 8 characters." } });
  });

  it("accepts exactly 72 bytes and refuses 73 (never truncates)", () => {
    expect(parseForm(form({ ...valid, password: "a".repeat(72) }), RegisterSchema, t).success).toBe(true);
    const result = parseForm(form({ ...valid, password: "a".repeat(73) }), RegisterSchema, t);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.errors.password).toMatch(/at most 72 bytes/);
  });

  it("counts UTF-8 bytes, not characters", () => {
    // 25 emoji = 25 characters (50 UTF-16 units) but 100 bytes.
    const result = parseForm(form({ ...valid, password: "😀".repeat(25) }), RegisterSchema, t);
    expect(result.success).toBe(false);
    expect(parseForm(form({ ...valid, password: "é".repeat(36) }), RegisterSchema, t).success).toBe(true);
    expect(parseForm(form({ ...valid, password: "é".repeat(37) }), RegisterSchema, t).success).toBe(false);
  });

  it("gives a message per field", () => {
    const result = parseForm(form({ name: "", email: "not-an-email" }), RegisterSchema, t);
    expect(result).toEqual({
      success: false,
      errors: { name: "Name is required.", email: "Enter a valid email address.", password: "Password is required." },
    });
  });

  it("ignores extra fields (no mass assignment), reads a repeated field once, refuses files", () => {
    const extra = parseForm(form({ ...valid, role: "admin", active: "0", id: "1" }), RegisterSchema, t);
    expect(extra.success && Object.keys(extra.data).sort()).toEqual(["email", "name", "password"]);
    const repeated = parseForm(form({ ...valid, email: ["first@example.com", "second@example.com"] }), RegisterSchema, t);
    expect(repeated.success && repeated.data.email).toBe("first@example.com");
    const file = parseForm(form({ ...valid, password: new Blob(["x".repeat(10)]) }), RegisterSchema, t);
    expect(file.success).toBe(false);
  });
});

describe("password hashing", () => {
  it("hashes off the main thread at the configured cost and verifies", async () => {
    const hash = await hashPassword("s3cret password", 5);
    expect(hashCost(hash)).toBe(5);
    expect(await verifyPassword("s3cret password", hash)).toBe(true);
    expect(await verifyPassword("s3cret passworD", hash)).toBe(false);
  });

  it("knows when a hash is below the configured cost", () => {
    const restore = overrideConfig({ bcryptCost: 6 });
    try {
      expect(needsRehash(bcrypt.hashSync("x", 4))).toBe(true);
      expect(needsRehash(bcrypt.hashSync("x", 6))).toBe(false);
    } finally {
      restore();
    }
  });
});

describe("verifyCredentials", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const user = await makeUser({ email: uniqueEmail("Case") });
    expect((await verifyCredentials(user.email.toUpperCase(), TEST_PASSWORD))?.id).toBe(user.id);
  });

  it("refuses a wrong password, an unknown email and an inactive account alike", async () => {
    const user = await makeUser();
    expect(await verifyCredentials(user.email, "wrong password")).toBeNull();
    expect(await verifyCredentials(uniqueEmail("nobody"), TEST_PASSWORD)).toBeNull();
    await setUserActive(user.id, false);
    expect(await verifyCredentials(user.email, TEST_PASSWORD)).toBeNull();
  });

  it("upgrades a hash below BCRYPT_COST at the next successful login", async () => {
    const user = await makeUser();
    await db.updateTable("users").set({ password_hash: bcrypt.hashSync(TEST_PASSWORD, 4) }).where("id", "=", user.id).execute();
    const restore = overrideConfig({ bcryptCost: 6 });
    try {
      await verifyCredentials(user.email, "wrong password");
      expect(hashCost((await findUserById(user.id))!.password_hash)).toBe(4);
      await verifyCredentials(user.email, TEST_PASSWORD);
      const upgraded = (await findUserById(user.id))!.password_hash;
      expect(hashCost(upgraded)).toBe(6);
      expect(await verifyPassword(TEST_PASSWORD, upgraded)).toBe(true);
    } finally {
      restore();
    }
  });
});
