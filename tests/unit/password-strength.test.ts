import { describe, expect, it } from "vitest";
import { weakPasswordReason } from "~/auth/password-strength.server";

describe("weakPasswordReason", () => {
  it.each(["correct horse battery staple", "correct-horse-battery", "zebra-quartz-lamp-91", "a long passphrase"])(
    "accepts %j",
    (password) => expect(weakPasswordReason(password, { name: "Ada Lovelace", email: "ada@example.com" })).toBeNull(),
  );

  it("refuses common passwords and says why", () => {
    expect(weakPasswordReason("password123")).toBe(
      "This password is too easy to guess. This is a commonly used password. Add more words that are less common.",
    );
    expect(weakPasswordReason("qwertyuiop")).toMatch(/^This password is too easy to guess\. This is a frequently used password\./);
  });

  it("refuses keyboard patterns and sequences", () => {
    expect(weakPasswordReason("abcdefgh")).toMatch(/Common character sequences like "abc" are easy to guess\./);
    expect(weakPasswordReason("asdfghjkl")).not.toBeNull();
  });

  it("refuses the user's own email or name as the password, which it accepts for someone else", () => {
    const ada = { name: "Ada Lovelace", email: "ada.lovelace@analytical.engine" };
    expect(weakPasswordReason("ada.lovelace@analytical.engine", ada)).toMatch(/There should not be any personal or page related data\./);
    expect(weakPasswordReason("adalovelace1815", ada)).not.toBeNull();
    expect(weakPasswordReason("ada.lovelace@analytical.engine", { name: "Grace", email: "grace@example.com" })).toBeNull();
  });
});
