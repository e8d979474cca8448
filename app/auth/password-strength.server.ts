import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { type I18n, i18nFor } from "~/i18n/i18n.server";
import { singleton } from "~/utils/singleton.server";

/**
 * The one password-strength rule, for register, reset and change: zxcvbn must
 * score the password at least MIN_PASSWORD_SCORE (0..4), judged against common
 * passwords, English words and names, keyboard patterns, and the user's own
 * name and email. Length limits stay in validation.ts (they are checked first).
 */

export const MIN_PASSWORD_SCORE = 3;

// Loaded on the first password that needs judging, not at start: the
// dictionaries cost each server process about 30 MB of memory, and most
// processes only ever check passwords against their hashes.
const zxcvbn = () =>
  singleton("zxcvbn", async (): Promise<ZxcvbnFactory> => {
    const [{ ZxcvbnFactory }, common, english] = await Promise.all([
      import("@zxcvbn-ts/core"),
      import("@zxcvbn-ts/language-common"),
      import("@zxcvbn-ts/language-en"),
    ]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
    });
  });

/** The user's own words: a password made of them is guessable by anyone who knows the user. */
function personalWords({ name, email }: { name?: string; email?: string }): string[] {
  const words = new Set<string>();
  for (const value of [name, email]) {
    if (!value) continue;
    const lower = value.toLowerCase();
    const parts = lower.split(/[\s@._+-]+/).filter((part) => part.length >= 3);
    words.add(lower);
    // "adalovelace" as well as "ada" and "lovelace": people run their names together.
    words.add(parts.join(""));
    for (const part of parts) words.add(part);
  }
  return [...words];
}

/**
 * Why `password` is too weak, in words for the form ("This password is too
 * easy to guess. This is a commonly used password. Add more words..."), or
 * null when it is strong enough.
 */
export async function weakPasswordReason(
  password: string,
  user: { name?: string; email?: string } = {},
  { language, t }: I18n = i18nFor("en"),
): Promise<string | null> {
  const result = (await zxcvbn()).check(password, personalWords(user));
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  // zxcvbn's own feedback is English (its other languages' dictionaries would cost memory): other languages get the general advice.
  const { warning, suggestions } = language === "en" ? result.feedback : { warning: null, suggestions: [] };
  const advice = suggestions.length ? suggestions : [t("v.passwordWeakAdvice")];
  return [t("v.passwordWeak"), warning, ...advice].filter(Boolean).join(" ");
}
