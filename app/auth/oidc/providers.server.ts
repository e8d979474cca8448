import type * as client from "openid-client";
import { getConfig, type OidcProviderConfig } from "~/config.server";
import { singleton } from "~/utils/singleton.server";

/** openid-client, loaded at the first provider sign-in (a process that never sees one never holds it). */
export const openidClient = () => import("openid-client");

/**
 * The sign-in providers of OIDC_<ID>_* (app/config.server.ts) and their
 * openid-client configurations. An OpenID Connect provider is discovered on
 * first use (and again after a failure); GitHub (issuer https://github.com)
 * speaks plain OAuth 2, so its endpoints are known here and its identity is
 * read from its API instead of an ID token.
 */

export type Provider = OidcProviderConfig;

/**
 * Where a provider sign-in form's redirect goes: the origin of each discovered
 * authorization endpoint. CSP's form-action governs that redirect too, and a
 * provider may authorize on another host than its issuer's (Amazon Cognito
 * does), so the security headers allow these as well as the issuers.
 */
export const authorizationOrigins = singleton("oidc-authorization-origins", () => new Set<string>());

/**
 * Discovers every provider in the background (at a worker's start), so the
 * first sign-in page already allows its authorization endpoint; a provider that
 * does not answer is tried again at its first use, as always.
 */
export function discoverProvidersInBackground(): void {
  for (const provider of listProviders()) providerConfiguration(provider).catch(() => {});
}

export function listProviders(): Provider[] {
  return getConfig().oidcProviders;
}

export function findProvider(id: string | undefined): Provider | undefined {
  return listProviders().find((provider) => provider.id === id);
}

/** The provider of a route's `$provider` segment, or a 404 (no such provider, or none configured). */
export function requireProvider(id: string | undefined): Provider {
  const provider = findProvider(id);
  if (!provider) throw new Response("Not Found", { status: 404, statusText: "Not Found" });
  return provider;
}

/** The button text of a provider id (a provider since removed from the settings shows as its id). */
export function providerLabel(id: string): string {
  return findProvider(id)?.label ?? id;
}

/** Where the provider sends the browser back: APP_ORIGIN + /auth/<id>/callback (register this URL at the provider). */
export function callbackUrl(provider: Provider): string {
  return `${getConfig().appOrigin}/auth/${provider.id}/callback`;
}

/** The provider did not answer, or answered something unusable (a 502 page, never a session). */
export class ProviderUnavailableError extends Error {
  override name = "ProviderUnavailableError";
}

const GITHUB_METADATA: client.ServerMetadata = {
  issuer: "https://github.com",
  authorization_endpoint: "https://github.com/login/oauth/authorize",
  token_endpoint: "https://github.com/login/oauth/access_token",
};

function isHttp(issuer: string): boolean {
  return new URL(issuer).protocol === "http:";
}

/**
 * The openid-client configuration of a provider, discovered once per process.
 * http is accepted only for loopback issuers (the config refuses any other),
 * so a test or development provider on 127.0.0.1 works without TLS.
 */
export async function providerConfiguration(provider: Provider): Promise<client.Configuration> {
  const cache = singleton("oidc-configurations", () => new Map<string, Promise<client.Configuration>>());
  const key = `${provider.id}|${provider.issuer}|${provider.clientId}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = discover(provider);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function discover(provider: Provider): Promise<client.Configuration> {
  const configuration = await discoverOnce(provider);
  const endpoint = configuration.serverMetadata().authorization_endpoint;
  if (endpoint) authorizationOrigins.add(new URL(endpoint).origin);
  return configuration;
}

async function discoverOnce(provider: Provider): Promise<client.Configuration> {
  const oidc = await openidClient();
  const auth = oidc.ClientSecretPost(provider.clientSecret);
  if (provider.kind === "github") return new oidc.Configuration(GITHUB_METADATA, provider.clientId, undefined, auth);
  try {
    return await oidc.discovery(
      new URL(provider.issuer),
      provider.clientId,
      undefined,
      auth,
      isHttp(provider.issuer) ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
    );
  } catch (error) {
    throw new ProviderUnavailableError(`discovery failed for ${provider.id}: ${(error as Error).message}`);
  }
}
