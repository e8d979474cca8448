/** Type-level settings for Remix: single fetch typing, and what the server gives every loader and action. */
declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
  interface AppLoadContext {
    /** The client's address: the socket's, or X-Forwarded-For's only with TRUST_PROXY. */
    clientIp: string;
    /** This response's Content-Security-Policy nonce (server only; never sent in loader data). */
    cspNonce?: string;
    /** Who is asking: resolved once per HTTP request by the server (app/auth/identity.server.ts); null when anonymous. */
    identity: import("./auth/identity.server").Identity | null;
  }
}

export {};
