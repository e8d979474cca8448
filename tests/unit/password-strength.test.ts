import { describe, expect, it } from "vitest";
import { weakPasswordReason } from "~/auth/password-strength.server";

describe("weakPasswordReason", () => {
  it.each(["correct horse battery staple", "correct-horse-battery", "zebra-quartz-lamp-91", "a long passphrase"])(
    "accepts %j",
    async (password) => expect(await weakPasswordReason(password, { name: "Ada Lovelace", email: "ada@example.com" })).toBeNull(),
  );

  it("refuses common passwords and says why", async () => {
    expect(await weakPasswordReason("password123")).toBe(
      "This password is too easy to guess. This is a commonly used password. Add more words that are less common.",
    );
    expect(await weakPasswordReason("qwertyuiop")).toMatch(/^This password is too easy to guess\. This is a frequently used password\./);
  });

  it("refuses keyboard patterns and sequences", async () => {
    expect(await weakPasswordReason("abcdefgh")).toMatch(/Common character sequences like "abc" are easy to guess\./);
    expect(await weakPasswordReason("asdfghjkl")).not.toBeNull();
  });

  it("refuses the user's own email or name as the password, which it accepts for someone else", async () => {
    const ada = { name: "Ada Lovelace", email: "ada.lovelace@analytical.engine" };
    expect(await weakPasswordReason("ada.lovelace@analytical.engine", ada)).toMatch(/There should not be any personal or page related data\./);
    expect(await weakPasswordReason("adalovelace1815", ada)).not.toBeNull();
    expect(await weakPasswordReason("ada.lovelace@analytical.engine", { name: "Grace", email: "grace@example.com" })).toBeNull();
  });
});
