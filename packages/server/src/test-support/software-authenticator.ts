/**
 * @module test-support/software-authenticator
 *
 * A WebAuthn authenticator in software, for tests only: it makes real credentials (ES256 or
 * Ed25519 keys from node:crypto), real CBOR attestation objects (`none`, `packed` self
 * attestation, or `packed` full attestation with a certificate chain), and real assertions over
 * real authenticator data (RP id hash, UP/UV/BE/BS/AT flags, signature counter, attested
 * credential data). It plays the client's part too, writing `clientDataJSON` with the origin and
 * challenge it is given. Nothing is mocked: the server verifies these bytes exactly as it
 * verifies a phone's. Overrides produce the broken or malicious variants the security tests need
 * (wrong origin or RP id, no user verification, a replayed or rolled-back counter).
 */
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { generate as generateCertificate } from 'selfsigned';
import type { LightMyRequestResponse } from 'fastify';
import type {
  AuthenticationCredential,
  PasskeyCreationOptions,
  PasskeyRequestOptions,
  RegistrationCredential,
  TokenResponse,
} from '@portcullis/protocol';
import type { App } from '../app.ts';
import { TEST_PUBLIC_URL } from './build-test-app.ts';
import type { TestDevice } from './dpop-client.ts';

/** Authenticator data flags (WebAuthn L3 §6.1). */
export const AUTHENTICATOR_FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

/** COSE algorithm identifiers (RFC 9053). */
const COSE_ES256 = -7;
const COSE_EDDSA = -8;

export type SoftwareKeyAlgorithm = 'ES256' | 'EdDSA';

/** A certificate chain (leaf first, DER) and the leaf's private key, for `packed` full attestation. */
export interface AttestationCertificate {
  readonly chain: readonly Uint8Array[];
  readonly privateKey: KeyObject;
}

export type SoftwareAttestation =
  | { readonly format: 'none' }
  | { readonly format: 'packed-self' }
  | { readonly format: 'packed-full'; readonly certificate: AttestationCertificate };

export interface SoftwareAuthenticatorOptions {
  /** Key type of new credentials; ES256 by default. */
  readonly algorithm?: SoftwareKeyAlgorithm;
  /** Attestation statement of new credentials; `none` by default. */
  readonly attestation?: SoftwareAttestation;
  /** Authenticator model id; a fixed test AAGUID by default. */
  readonly aaguid?: string;
  /** BE flag: a syncable passkey (default true, like iCloud Keychain or Google Password Manager). */
  readonly backupEligible?: boolean;
  /** BS flag: currently synced (default: same as `backupEligible`). */
  readonly backedUp?: boolean;
  /** `increasing` counts signatures like a security key; `zero` reports 0 like synced passkeys. Default `increasing`. */
  readonly counter?: 'increasing' | 'zero';
  readonly transports?: readonly string[];
}

/** What the client and authenticator would do differently in a broken or hostile ceremony. */
export interface CeremonyOverrides {
  /** The origin written into clientDataJSON (a browser writes the page's origin; Android the apk-key-hash origin). */
  readonly origin: string;
  /** RP id whose SHA-256 goes into authenticator data; defaults to the RP id in the options. */
  readonly rpId?: string;
  /** clientDataJSON `challenge`; defaults to the options' challenge. */
  readonly challenge?: string;
  /** clientDataJSON `type`; defaults to the ceremony's own. */
  readonly type?: string;
  /** UV flag; default true (the person unlocked the authenticator). */
  readonly userVerified?: boolean;
  /** UP flag; default true. */
  readonly userPresent?: boolean;
  /** Signature counter to report instead of the authenticator's own. */
  readonly counter?: number;
  /** Assertion `userHandle`; `null` omits it. Defaults to the handle stored with the credential. */
  readonly userHandle?: string | null;
  /**
   * Assertion: which credential to use (base64url id); defaults to the most recently created for
   * the RP id. Registration: the id the new credential claims (a hostile authenticator reusing
   * someone else's id).
   */
  readonly credentialId?: string;
}

interface StoredCredential {
  readonly id: Uint8Array;
  readonly rpId: string;
  readonly userHandle: string;
  readonly algorithm: SoftwareKeyAlgorithm;
  readonly privateKey: KeyObject;
  readonly cosePublicKey: Uint8Array;
  counter: number;
}

/** The parts of creation options an authenticator reads. */
export interface CreationOptionsInput {
  readonly challenge: string;
  readonly rp: { readonly id?: string; readonly name: string };
  readonly user: { readonly id: string };
  readonly excludeCredentials?: readonly { readonly id: string }[];
}

/** The parts of request options an authenticator reads. */
export interface RequestOptionsInput {
  readonly challenge: string;
  readonly rpId?: string;
}

const TEST_AAGUID = '5e1f7e57-0000-4000-8000-00000000a11c';

function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function coseKey(algorithm: SoftwareKeyAlgorithm, publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  if (algorithm === 'EdDSA') {
    // kty OKP (1), alg EdDSA, crv Ed25519 (6), x
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 1],
        [3, COSE_EDDSA],
        [-1, 6],
        [-2, x],
      ]),
    );
  }
  // kty EC2 (2), alg ES256, crv P-256 (1), x, y
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, COSE_ES256],
      [-1, 1],
      [-2, x],
      [-3, Buffer.from(jwk.y ?? '', 'base64url')],
    ]),
  );
}

/** ES256 signatures are ASN.1 DER in WebAuthn (unlike JOSE); Ed25519 signatures are raw. */
function signWith(algorithm: SoftwareKeyAlgorithm, privateKey: KeyObject, data: Uint8Array): Buffer {
  return algorithm === 'EdDSA' ? sign(null, data, privateKey) : sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

export class SoftwareAuthenticator {
  private readonly credentials: StoredCredential[] = [];
  private readonly options: Required<Omit<SoftwareAuthenticatorOptions, 'backedUp'>> & { readonly backedUp: boolean };

  constructor(options: SoftwareAuthenticatorOptions = {}) {
    const backupEligible = options.backupEligible ?? true;
    this.options = {
      algorithm: options.algorithm ?? 'ES256',
      attestation: options.attestation ?? { format: 'none' },
      aaguid: options.aaguid ?? TEST_AAGUID,
      backupEligible,
      backedUp: options.backedUp ?? backupEligible,
      counter: options.counter ?? 'increasing',
      transports: options.transports ?? ['internal', 'hybrid'],
    };
  }

  /** Base64url ids of the credentials this authenticator holds, oldest first. */
  get credentialIds(): string[] {
    return this.credentials.map((c) => b64u(c.id));
  }

  /** An exact copy of every key and counter: what an attacker who extracted the keys would hold. */
  clone(): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator(this.options);
    for (const credential of this.credentials) copy.credentials.push({ ...credential });
    return copy;
  }

  private flags(overrides: CeremonyOverrides, extra: number): number {
    let flags = extra;
    if (overrides.userPresent ?? true) flags |= AUTHENTICATOR_FLAGS.UP;
    if (overrides.userVerified ?? true) flags |= AUTHENTICATOR_FLAGS.UV;
    if (this.options.backupEligible) flags |= AUTHENTICATOR_FLAGS.BE;
    if (this.options.backedUp) flags |= AUTHENTICATOR_FLAGS.BS;
    return flags;
  }

  private authenticatorData(rpId: string, flags: number, counter: number, attested?: Uint8Array): Buffer {
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counterBytes, ...(attested ? [attested] : [])]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** `navigator.credentials.create()`: a new discoverable credential and its attestation. */
  register(options: CreationOptionsInput, overrides: CeremonyOverrides): RegistrationCredential {
    const rpId = options.rp.id ?? new URL(overrides.origin).hostname;
    // WebAuthn L3 §6.3.2 step 3: an authenticator holding an excluded credential refuses.
    const held = new Set(this.credentials.filter((c) => c.rpId === rpId).map((c) => b64u(c.id)));
    if (options.excludeCredentials?.some((d) => held.has(d.id))) throw new Error('InvalidStateError: credential already registered');

    const { algorithm } = this.options;
    const { privateKey, publicKey } =
      algorithm === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: StoredCredential = {
      id: overrides.credentialId === undefined ? randomBytes(32) : Buffer.from(overrides.credentialId, 'base64url'),
      rpId,
      userHandle: options.user.id,
      algorithm,
      privateKey,
      cosePublicKey: coseKey(algorithm, publicKey),
      counter: 0,
    };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const attestedCredentialData = Buffer.concat([uuidBytes(this.options.aaguid), idLength, credential.id, credential.cosePublicKey]);
    const authData = this.authenticatorData(
      overrides.rpId ?? rpId,
      this.flags(overrides, AUTHENTICATOR_FLAGS.AT),
      overrides.counter ?? credential.counter,
      attestedCredentialData,
    );
    const clientDataJSON = this.clientData(overrides.type ?? 'webauthn.create', overrides.challenge ?? options.challenge, overrides.origin);
    const signatureBase = Buffer.concat([authData, sha256(clientDataJSON)]);
    const attestation = this.options.attestation;
    let fmt: string;
    let attStmt: Map<string, number | Uint8Array | Uint8Array[]>;
    switch (attestation.format) {
      case 'none':
        fmt = 'none';
        attStmt = new Map();
        break;
      case 'packed-self':
        // Self attestation: signed by the credential key itself, no certificate (WebAuthn §8.2).
        fmt = 'packed';
        attStmt = new Map<string, number | Uint8Array>([
          ['alg', algorithm === 'EdDSA' ? COSE_EDDSA : COSE_ES256],
          ['sig', signWith(algorithm, privateKey, signatureBase)],
        ]);
        break;
      case 'packed-full':
        fmt = 'packed';
        attStmt = new Map<string, number | Uint8Array | Uint8Array[]>([
          ['alg', COSE_ES256],
          ['sig', signWith('ES256', attestation.certificate.privateKey, signatureBase)],
          ['x5c', attestation.certificate.chain.map((der) => new Uint8Array(der))],
        ]);
        break;
    }
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, number | Uint8Array | Uint8Array[]>>([
        ['fmt', fmt],
        ['attStmt', attStmt],
        ['authData', authData],
      ]),
    );
    this.credentials.push(credential);
    const id = b64u(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        attestationObject: b64u(attestationObject),
        transports: [...this.options.transports],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** `navigator.credentials.get()` with discoverable credentials: the person picks a passkey for the RP. */
  assert(options: RequestOptionsInput, overrides: CeremonyOverrides): AuthenticationCredential {
    const rpId = options.rpId ?? new URL(overrides.origin).hostname;
    const candidates = this.credentials.filter(
      (c) => c.rpId === rpId && (overrides.credentialId === undefined || b64u(c.id) === overrides.credentialId),
    );
    const credential = candidates.at(-1);
    if (!credential) throw new Error(`NotAllowedError: no credential for ${rpId}`);
    if (this.options.counter === 'increasing') credential.counter += 1;
    const authData = this.authenticatorData(overrides.rpId ?? rpId, this.flags(overrides, 0), overrides.counter ?? credential.counter);
    const clientDataJSON = this.clientData(overrides.type ?? 'webauthn.get', overrides.challenge ?? options.challenge, overrides.origin);
    const signature = signWith(credential.algorithm, credential.privateKey, Buffer.concat([authData, sha256(clientDataJSON)]));
    const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
    const id = b64u(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}

/** The origin Android's Credential Manager writes for an app signed by a certificate with this DER encoding. */
export function androidApkKeyHashOrigin(signingCertificateDer: Uint8Array): string {
  return `android:apk-key-hash:${sha256(signingCertificateDer).toString('base64url')}`;
}

/** `AB:CD:…`: the SHA-256 fingerprint form `keytool` prints and asset links use. */
export function sha256Fingerprint(der: Uint8Array): string {
  return sha256(der).toString('hex').toUpperCase().match(/../g)?.join(':') ?? '';
}

/** A test attestation root and a `packed` attestation certificate it issued (FIDO subject rules, WebAuthn §8.2.1). */
export interface TestAttestationAuthority {
  /** The root certificate, PEM: what an operator puts in `passkeys.attestation.trustedRoots.packed`. */
  readonly rootPem: string;
  readonly certificate: AttestationCertificate;
}

export async function createTestAttestationAuthority(name = 'Portcullis Test Attestation Root'): Promise<TestAttestationAuthority> {
  const root = await generateCertificate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await generateCertificate(
    [
      { name: 'countryName', value: 'US' },
      { name: 'organizationName', value: 'Portcullis Tests' },
      { shortName: 'OU', value: 'Authenticator Attestation' },
      { name: 'commonName', value: 'Portcullis Test Authenticator' },
    ],
    {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: root.private, cert: root.cert },
      extensions: [{ name: 'basicConstraints', cA: false }],
    },
  );
  return {
    rootPem: root.cert,
    certificate: { chain: [new X509Certificate(leaf.cert).raw], privateKey: createPrivateKey(leaf.private) },
  };
}

// ── Driving Portcullis's passkey ceremonies over HTTP ─────────────────────────────────────────

/** The origin a browser on the test app's public URL writes into clientDataJSON. */
export const TEST_WEB_ORIGIN = TEST_PUBLIC_URL;

export interface PasskeyCeremonyOptions {
  /** Passed to the authenticator; `origin` defaults to the test web origin. */
  readonly overrides?: Partial<CeremonyOverrides>;
  readonly name?: string;
}

/** Options → authenticator → verification, on a signed-in device. Returns the verification response. */
export async function registerPasskey(
  device: TestDevice,
  authenticator: SoftwareAuthenticator,
  options: PasskeyCeremonyOptions = {},
): Promise<LightMyRequestResponse> {
  const created = await device.call('POST', '/v1/passkeys/registration/options', {});
  if (created.statusCode !== 200) throw new Error(`registration options failed: ${created.body}`);
  const credential = authenticator.register(created.json<PasskeyCreationOptions>(), { origin: TEST_WEB_ORIGIN, ...options.overrides });
  return device.call('POST', '/v1/passkeys/registration', { name: options.name ?? 'Test passkey', credential });
}

/** Public request options, as an app fetches them before `navigator.credentials.get()`. */
export async function passkeySignInOptions(app: App): Promise<PasskeyRequestOptions> {
  const response = await app.inject({ method: 'POST', url: '/v1/passkeys/sign-in/options', payload: {} });
  if (response.statusCode !== 200) throw new Error(`sign-in options failed: ${response.body}`);
  return response.json<PasskeyRequestOptions>();
}

/** Posts an assertion with the device's DPoP proof; on 201 the device holds the new tokens. */
export async function postPasskeySignIn(device: TestDevice, credential: AuthenticationCredential): Promise<LightMyRequestResponse> {
  const response = await device.send({
    method: 'POST',
    url: '/v1/passkeys/sign-in',
    payload: { credential, device: { label: 'Test phone', platform: 'ios' } },
  });
  if (response.statusCode === 201) device.tokens = response.json<TokenResponse>();
  return response;
}

/** Options → authenticator → sign-in, on any device (no username). */
export async function signInWithPasskey(
  device: TestDevice,
  authenticator: SoftwareAuthenticator,
  options: PasskeyCeremonyOptions = {},
): Promise<LightMyRequestResponse> {
  const request = await passkeySignInOptions(device.app);
  return postPasskeySignIn(device, authenticator.assert(request, { origin: TEST_WEB_ORIGIN, ...options.overrides }));
}
