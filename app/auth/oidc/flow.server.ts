import { redirect } from "@remix-run/node";
import type * as client from "openid-client";
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { appCookie } from "~/utils/cookies.server";
import { storedRedirect } from "../safe-redirect";
import { CONTROL_CHARACTERS, CONTROL_CHARACTERS_ALL, NAME_MAX_LENGTH } from "../validation";
import { callbackUrl, openidClient, type Provider, providerConfiguration, ProviderUnavailableError } from "./providers.server";
import { i18nFor } from "~/i18n/i18n.server";
import type { MessageKey, Params } from "~/i18n/translate";
import { randomToken, sha256Hex } from "~/utils/crypto.server";

/**
 * One round trip to a provider: authorization code with PKCE, `state` and
 * `nonce`. Everything the callback checks lives on the server (`oidc_flows`);
 * the browser's cookie carries only a random id (its SHA-256 is the row's
 * key), so a flow works in the browser that started it, once (the callback
 * deletes the row before it talks to the provider), for FLOW_MAX_AGE_MS.
 */

export const FLOW_MAX_AGE_MS = 10 * 60 * 1000;

/** sign_in (anonymous), link (from settings), reauthenticate (fresh login): round trips. confirm_link: waiting for a password. */
export type FlowPurpose = "sign_in" | "link" | "reauthenticate" | "confirm_link";

export type Flow = {
  idHash: string;
  provider: string;
  purpose: FlowPurpose;
  redirectTo: string | null;
  userId: number | null;
  issuer: string | null;
  subject: string | null;
  email: string | null;
  expiresAt: number;
};

/** What a provider says about the account that signed in there. */
export type ProviderIdentity = {
  issuer: string;
  subject: string;
  email: string | null;
  /** Only a provider's explicit `email_verified: true` (or GitHub's verified flag) counts. */
  emailVerified: boolean;
  name: string | null;
};

/** A refused callback: a 4xx page with this message (a catalog key, said in the page's language; `message` is the English, for logs), and no session. */
export class ProviderFlowError extends Error {
  override name = "ProviderFlowError";
  constructor(
    readonly key: MessageKey,
    readonly status = 400,
    readonly params: Params = {},
  ) {
    super(i18nFor("en").t(key, params));
  }
}

export const FLOW_EXPIRED = "oidc.flowExpired";

let cookie: ReturnType<typeof appCookie> | undefined;

function flowCookie() {
  // The provider sends the browser back with a top-level GET: Lax lets the cookie come along.
  cookie ??= appCookie("_oidc", { path: "/auth", maxAgeSeconds: FLOW_MAX_AGE_MS / 1000 });
  return cookie;
}

export function clearFlowCookie(): Promise<string> {
  return flowCookie().serialize("", { maxAge: 0 });
}

/** Stores a flow row under a new random id; returns the Set-Cookie that carries the id. */
async function saveFlow(
  values: { provider: string; purpose: FlowPurpose; state?: string; nonce?: string; code_verifier?: string } & Partial<
    Pick<Flow, "redirectTo" | "userId" | "issuer" | "subject" | "email">
  >,
  now = Date.now(),
): Promise<string> {
  const id = randomToken();
  await db.deleteFrom("oidc_flows").where("expires_at", "<=", now).execute();
  await db
    .insertInto("oidc_flows")
    .values({
      id_hash: sha256Hex(id),
      provider: values.provider,
      purpose: values.purpose,
      state: values.state ?? "",
      nonce: values.nonce ?? "",
      code_verifier: values.code_verifier ?? "",
      redirect_to: storedRedirect(values.redirectTo),
      user_id: values.userId ?? null,
      issuer: values.issuer ?? null,
      subject: values.subject ?? null,
      email: values.email ?? null,
      created_at: now,
      expires_at: now + FLOW_MAX_AGE_MS,
    })
    .execute();
  return flowCookie().serialize(id);
}

async function readCookieId(request: Request): Promise<string | null> {
  try {
    const id: unknown = await flowCookie().parse(request.headers.get("Cookie"));
    return typeof id === "string" && id.length > 0 && id.length <= 100 ? id : null;
  } catch {
    return null;
  }
}

function toFlow(row: {
  id_hash: string;
  provider: string;
  purpose: string;
  redirect_to: string | null;
  user_id: number | null;
  issuer: string | null;
  subject: string | null;
  email: string | null;
  expires_at: number;
}): Flow {
  return {
    idHash: row.id_hash,
    provider: row.provider,
    purpose: row.purpose as FlowPurpose,
    redirectTo: row.redirect_to,
    userId: row.user_id,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    expiresAt: row.expires_at,
  };
}

/**
 * Starts a round trip: a redirect to the provider's authorization endpoint
 * (scope openid email profile, PKCE S256, state, nonce), with the flow cookie.
 */
export async function startProviderFlow(
  provider: Provider,
  { purpose, userId = null, redirectTo = null }: { purpose: Exclude<FlowPurpose, "confirm_link">; userId?: number | null; redirectTo?: string | null },
): Promise<Response> {
  const oidc = await openidClient();
  const configuration = await providerConfiguration(provider);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = provider.kind === "github" ? "" : oidc.randomNonce();
  const parameters: Record<string, string> = {
    redirect_uri: callbackUrl(provider),
    scope: provider.kind === "github" ? "read:user user:email" : "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
  };
  if (nonce) parameters.nonce = nonce;
  const setCookie = await saveFlow({ provider: provider.id, purpose, state, nonce, code_verifier: codeVerifier, userId, redirectTo });
  return redirect(oidc.buildAuthorizationUrl(configuration, parameters).href, { headers: { "Set-Cookie": setCookie } });
}

/**
 * The callback: uses up the browser's flow (a replay finds none), then lets
 * openid-client check state, exchange the code with the PKCE verifier and
 * verify the ID token (signature, issuer, audience, expiry, nonce).
 * Throws ProviderFlowError (4xx) for anything refused.
 */
export async function finishProviderFlow(
  request: Request,
  provider: Provider,
  now = Date.now(),
): Promise<{ flow: Flow; identity: ProviderIdentity }> {
  const id = await readCookieId(request);
  if (!id) throw new ProviderFlowError(FLOW_EXPIRED);
  const row = await db
    .deleteFrom("oidc_flows")
    .where("id_hash", "=", sha256Hex(id))
    .where("provider", "=", provider.id)
    .where("purpose", "!=", "confirm_link")
    .returningAll()
    .executeTakeFirst();
  if (!row || now >= row.expires_at) throw new ProviderFlowError(FLOW_EXPIRED);
  const flow = toFlow(row);

  const url = new URL(request.url);
  const error = url.searchParams.get("error");
  if (error) {
    logger.info({ provider: provider.id, error }, "provider refused the sign-in");
    throw new ProviderFlowError(
      error === "access_denied"
        ? "oidc.cancelled"
        : "oidc.refused",
      error === "access_denied" ? 403 : 400,
      { provider: provider.label, error: error.slice(0, 60).replace(/[^\w.-]/g, "") },
    );
  }
  // The URL the provider was given, whatever Host header this request came with.
  const currentUrl = new URL(callbackUrl(provider));
  currentUrl.search = url.search;
  const configuration = await providerConfiguration(provider);
  const oidc = await openidClient();
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: row.code_verifier,
      expectedState: row.state,
      ...(provider.kind === "github" ? {} : { expectedNonce: row.nonce, idTokenExpected: true }),
    });
  } catch (cause) {
    if (cause instanceof ProviderUnavailableError) throw cause;
    logger.warn({ provider: provider.id, reason: describeError(cause) }, "provider sign-in refused");
    throw new ProviderFlowError("oidc.unverified", 400, { provider: provider.label });
  }
  const identity = provider.kind === "github" ? await githubIdentity(tokens.access_token) : await oidcIdentity(configuration, tokens);
  return { flow, identity: withinFieldRules(identity) };
}

/**
 * A provider's claims meet the rules a form's fields do (no control
 * characters, which PostgreSQL's text refuses as NUL; a name of at most 100
 * characters): a name loses them, an email with any is no email, and an
 * issuer or subject with any is refused.
 */
function withinFieldRules(identity: ProviderIdentity): ProviderIdentity {
  if (CONTROL_CHARACTERS.test(identity.issuer) || CONTROL_CHARACTERS.test(identity.subject)) throw new ProviderFlowError("oidc.noIdToken");
  const name = identity.name?.replace(CONTROL_CHARACTERS_ALL, "").trim().slice(0, NAME_MAX_LENGTH) || null;
  const email = identity.email !== null && !CONTROL_CHARACTERS.test(identity.email) && identity.email.length <= 254 ? identity.email : null;
  return { ...identity, name, email, emailVerified: email !== null && identity.emailVerified };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}

async function oidcIdentity(
  configuration: client.Configuration,
  tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>,
): Promise<ProviderIdentity> {
  const claims = tokens.claims();
  if (!claims) throw new ProviderFlowError("oidc.noIdToken");
  const oidc = await openidClient();
  let email = typeof claims.email === "string" ? claims.email : null;
  let verified = claims.email_verified === true;
  let name = typeof claims.name === "string" ? claims.name : null;
  if (!email) {
    // Some providers put the email only in the userinfo answer.
    try {
      const info = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      email = typeof info.email === "string" ? info.email : null;
      verified = info.email_verified === true;
      name ??= typeof info.name === "string" ? info.name : null;
    } catch (error) {
      logger.info({ reason: describeError(error) }, "userinfo unavailable");
    }
  }
  return { issuer: claims.iss, subject: claims.sub, email: email?.trim().toLowerCase() || null, emailVerified: verified, name };
}

/** GitHub has no ID token: the user and their primary email come from its API with the access token. */
async function githubIdentity(accessToken: string): Promise<ProviderIdentity> {
  const headers = { Authorization: `Bearer ${accessToken}`, Accept: "application/vnd.github+json", "User-Agent": "remix-auth-kit" };
  const get = async (path: string) => {
    const response = await fetch(`https://api.github.com${path}`, { headers, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new ProviderUnavailableError(`GitHub ${path} answered ${response.status}`);
    return response.json() as Promise<unknown>;
  };
  const user = (await get("/user")) as { id?: number; name?: string | null; login?: string };
  if (typeof user.id !== "number") throw new ProviderFlowError("oidc.noGithubId");
  const emails = ((await get("/user/emails")) as { email: string; primary: boolean; verified: boolean }[]) ?? [];
  const primary = Array.isArray(emails) ? emails.find((e) => e.primary) : undefined;
  return {
    issuer: "https://github.com",
    subject: String(user.id),
    email: primary?.email.toLowerCase() ?? null,
    emailVerified: primary?.verified === true,
    name: user.name ?? user.login ?? null,
  };
}

/** After a verified identity whose email matches an existing account: keeps it waiting for that account's password. */
export function holdForConfirmation(provider: Provider, identity: ProviderIdentity, userId: number, redirectTo: string | null): Promise<string> {
  return saveFlow({
    provider: provider.id,
    purpose: "confirm_link",
    userId,
    issuer: identity.issuer,
    subject: identity.subject,
    email: identity.email,
    redirectTo,
  });
}

/** The identity waiting for confirmation in this browser, or null. Changes nothing. */
export async function readPendingConfirmation(request: Request, provider: Provider, now = Date.now()): Promise<Flow | null> {
  const id = await readCookieId(request);
  if (!id) return null;
  const row = await db
    .selectFrom("oidc_flows")
    .selectAll()
    .where("id_hash", "=", sha256Hex(id))
    .where("provider", "=", provider.id)
    .where("purpose", "=", "confirm_link")
    .executeTakeFirst();
  return row && now < row.expires_at ? toFlow(row) : null;
}

/** Uses up a pending confirmation: true exactly once. */
export async function consumeFlow(flow: Flow, now = Date.now()): Promise<boolean> {
  const result = await db.deleteFrom("oidc_flows").where("id_hash", "=", flow.idHash).where("expires_at", ">", now).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
