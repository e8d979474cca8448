import { createContext, useContext } from "react";

/**
 * The response's CSP nonce, handed from entry.server to the document through
 * React context (never through loader data, which the browser can read back).
 * In the browser it is empty: scripts are already running by then.
 */
export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}
