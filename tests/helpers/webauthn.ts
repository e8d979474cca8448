import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

/**
 * A software authenticator for tests: an EC P-256 key made with node:crypto,
 * attestation "none" and assertions built by hand, as a browser and a
 * platform authenticator would send them (RegistrationResponseJSON /
 * AuthenticationResponseJSON). A tiny CBOR encoder covers what WebAuthn needs.
 */

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [key: string]: Cbor };

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

export function cbor(value: Cbor): Uint8Array {
  const parts: number[] = [];
  const put = (v: Cbor) => {
    if (typeof v === "number") parts.push(...(v >= 0 ? head(0, v) : head(1, -1 - v)));
    else if (typeof v === "string") {
      const bytes = new TextEncoder().encode(v);
      parts.push(...head(3, bytes.length), ...bytes);
    } else if (v instanceof Uint8Array) parts.push(...head(2, v.length), ...v);
    else if (Array.isArray(v)) {
      parts.push(...head(4, v.length));
      v.forEach(put);
    } else {
      const entries = v instanceof Map ? [...v] : Object.entries(v);
      parts.push(...head(5, entries.length));
      for (const [k, item] of entries) {
        put(k);
        put(item);
      }
    }
  };
  put(value);
  return Uint8Array.from(parts);
}

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export type CeremonyOptions = { challenge: string; user?: { id: string } };
export type Tweaks = { origin?: string; rpId?: string; userVerified?: boolean; counter?: number; type?: string; userHandle?: string | null };

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** The next signature counter; authenticators that do not count stay at 0 (`counts: false`). */
  counter: number;
  userHandle: string | null = null;

  constructor(
    readonly origin: string,
    readonly rpId = new URL(origin).hostname,
    { counts = true }: { counts?: boolean } = {},
  ) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.counter = counts ? 1 : 0;
    this.counts = counts;
  }

  private readonly counts: boolean;

  get id(): string {
    return b64url(this.credentialId);
  }

  private coseKey(): Uint8Array {
    const jwk = this.publicKey.export({ format: "jwk" });
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, "base64url")],
        [-3, Buffer.from(jwk.y!, "base64url")],
      ]),
    );
  }

  private authData(rpId: string, flags: number, counter: number, attested?: Uint8Array): Uint8Array {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() for `options` (from the server), as JSON. */
  register(options: CeremonyOptions, tweaks: Tweaks = {}) {
    this.userHandle = options.user?.id ?? null;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.coseKey()]);
    const flags = UP | AT | (tweaks.userVerified === false ? 0 : UV);
    const authData = this.authData(tweaks.rpId ?? this.rpId, flags, tweaks.counter ?? 0, attested);
    const clientDataJSON = this.clientData(tweaks.type ?? "webauthn.create", options.challenge, tweaks.origin ?? this.origin);
    const attestationObject = cbor({ fmt: "none", attStmt: {}, authData });
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** navigator.credentials.get() for `options`, as JSON; the counter moves on (when it counts). */
  assert(options: CeremonyOptions, tweaks: Tweaks = {}) {
    const counter = tweaks.counter ?? this.counter;
    if (this.counts && tweaks.counter === undefined) this.counter += 1;
    const flags = UP | (tweaks.userVerified === false ? 0 : UV);
    const authData = this.authData(tweaks.rpId ?? this.rpId, flags, counter);
    const clientDataJSON = this.clientData(tweaks.type ?? "webauthn.get", options.challenge, tweaks.origin ?? this.origin);
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), { key: this.privateKey, dsaEncoding: "der" });
    const userHandle = tweaks.userHandle === undefined ? this.userHandle : tweaks.userHandle;
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle ? { userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
