import { DEFAULT_LANGUAGE, isLanguage, type Language } from "./languages";

/** The best supported language of an `Accept-Language` header (`es-MX,es;q=0.9,en;q=0.8` → es), else English. */
export function acceptedLanguage(header: string | null | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  let best: Language = DEFAULT_LANGUAGE;
  let bestQuality = 0;
  for (const part of header.slice(0, 512).split(",")) {
    const [range = "", ...parameters] = part.split(";");
    const primary = range.trim().toLowerCase().split("-")[0];
    if (!isLanguage(primary)) continue;
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (quality > bestQuality) {
      best = primary;
      bestQuality = quality;
    }
  }
  return best;
}
