import { type Config, getConfig } from "~/config.server";

/**
 * Overrides settings for the rest of the current test file (the config is a
 * per-process singleton); returns a function that restores the previous values.
 */
export function overrideConfig(overrides: Partial<Config>): () => void {
  const config = getConfig();
  const previous = { ...config };
  Object.assign(config, overrides);
  return () => Object.assign(config, previous);
}
