/**
 * @module passkeys
 *
 * Wire schemas of the passkeys (WebAuthn Level 3) API: the options the server hands to
 * `navigator.credentials.create/get` (or to iOS `ASAuthorizationPlatformPublicKeyCredentialProvider`
 * and Android Credential Manager, which take the same JSON), the authenticator responses the
 * client posts back (the `PublicKeyCredential.toJSON()` shape), the passkey list, and the two
 * association files mobile platforms fetch. Binary fields travel as unpadded base64url. The
 * schemas only bound sizes and shapes; every cryptographic check happens on the server.
 */
import Type, { type Static } from 'typebox';
import { DeviceSchema } from './sessions.ts';

/** Unpadded base64url text of at most `maxLength` characters. */
function base64Url(maxLength: number, description: string) {
  return Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+$', description });
}

/** WebAuthn allows credential ids up to 1023 bytes (1364 base64url characters). */
const CredentialIdSchema = base64Url(1400, 'Credential id (base64url).');

const TransportsSchema = Type.Array(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z-]+$' }), {
  maxItems: 8,
  description: 'Transports the authenticator reported (`internal`, `hybrid`, `usb`, `nfc`, `ble`, …).',
});

const ClientExtensionResultsSchema = Type.Object(
  {},
  { additionalProperties: true, maxProperties: 16, description: 'Client extension outputs; the server reads none of them.' },
);

const AuthenticatorAttachmentSchema = Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]));

/** `PublicKeyCredential.toJSON()` of a registration (`navigator.credentials.create`). */
export const RegistrationCredentialSchema = Type.Object(
  {
    id: CredentialIdSchema,
    rawId: CredentialIdSchema,
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: base64Url(8192, 'CollectedClientData as the client serialised it.'),
        attestationObject: base64Url(32768, 'CBOR attestation object (authenticator data and attestation statement).'),
        transports: Type.Optional(TransportsSchema),
        authenticatorData: Type.Optional(base64Url(8192, 'Authenticator data (also inside the attestation object).')),
        publicKey: Type.Optional(base64Url(4096, 'SubjectPublicKeyInfo of the new credential (informational).')),
        publicKeyAlgorithm: Type.Optional(Type.Integer({ description: 'COSE algorithm of the new credential (informational).' })),
      },
      { additionalProperties: false },
    ),
    authenticatorAttachment: AuthenticatorAttachmentSchema,
    clientExtensionResults: ClientExtensionResultsSchema,
  },
  { additionalProperties: false },
);

/** `PublicKeyCredential.toJSON()` of an assertion (`navigator.credentials.get`). */
export const AuthenticationCredentialSchema = Type.Object(
  {
    id: CredentialIdSchema,
    rawId: CredentialIdSchema,
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: base64Url(8192, 'CollectedClientData as the client serialised it.'),
        authenticatorData: base64Url(8192, 'Authenticator data the signature covers.'),
        signature: base64Url(2048, 'Assertion signature over authenticatorData ‖ SHA-256(clientDataJSON).'),
        userHandle: Type.Optional(base64Url(128, 'The user handle stored with a discoverable credential.')),
      },
      { additionalProperties: false },
    ),
    authenticatorAttachment: AuthenticatorAttachmentSchema,
    clientExtensionResults: ClientExtensionResultsSchema,
  },
  { additionalProperties: false },
);

/** Options requests carry no parameters today; the object leaves room without breaking clients. */
export const PasskeyOptionsRequestSchema = Type.Object({}, { additionalProperties: false });

export const PasskeyNameSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'Name the person gave the passkey, shown in the passkey list (e.g. "iPhone", "YubiKey 5C").',
});

export const PasskeyRegistrationRequestSchema = Type.Object(
  { name: PasskeyNameSchema, credential: RegistrationCredentialSchema },
  { additionalProperties: false },
);

export const PasskeySignInRequestSchema = Type.Object(
  { credential: AuthenticationCredentialSchema, device: DeviceSchema },
  { additionalProperties: false },
);

export const PasskeyRenameRequestSchema = Type.Object({ name: PasskeyNameSchema }, { additionalProperties: false });

export const PasskeyIdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

const CredentialDescriptorSchema = Type.Object(
  { id: CredentialIdSchema, type: Type.Literal('public-key'), transports: Type.Optional(Type.Array(Type.String())) },
  { additionalProperties: false },
);

/** `PublicKeyCredentialCreationOptionsJSON`: pass it to `create()` as `publicKey` (after base64url decoding). */
export const PasskeyCreationOptionsSchema = Type.Object(
  {
    challenge: Type.String({ description: 'Single-use challenge (base64url, 256 bits), valid for `timeout` ms.' }),
    rp: Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
    user: Type.Object(
      {
        id: Type.String({ description: 'Opaque user handle (base64url); contains no personal data.' }),
        name: Type.String(),
        displayName: Type.String(),
      },
      { additionalProperties: false },
    ),
    pubKeyCredParams: Type.Array(Type.Object({ alg: Type.Integer(), type: Type.Literal('public-key') }, { additionalProperties: false })),
    timeout: Type.Integer(),
    attestation: Type.Union([Type.Literal('none'), Type.Literal('direct')]),
    excludeCredentials: Type.Array(CredentialDescriptorSchema),
    authenticatorSelection: Type.Object(
      {
        residentKey: Type.Literal('required'),
        requireResidentKey: Type.Literal(true),
        userVerification: Type.Literal('required'),
      },
      { additionalProperties: false },
    ),
    extensions: Type.Optional(Type.Object({ credProps: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    hints: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

/** `PublicKeyCredentialRequestOptionsJSON` for discoverable credentials (no `allowCredentials`). */
export const PasskeyRequestOptionsSchema = Type.Object(
  {
    challenge: Type.String({ description: 'Single-use challenge (base64url, 256 bits), valid for `timeout` ms.' }),
    rpId: Type.String(),
    timeout: Type.Integer(),
    userVerification: Type.Literal('required'),
  },
  { additionalProperties: false },
);

export const PasskeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    backupEligible: Type.Boolean({ description: 'The passkey can be synced (e.g. iCloud Keychain, Google Password Manager).' }),
    backedUp: Type.Boolean({ description: 'The passkey was synced or backed up when last used.' }),
    transports: Type.Array(Type.String()),
    aaguid: Type.String({ description: 'Authenticator model (AAGUID); all zeros when the authenticator does not say.' }),
    suspended: Type.Boolean({
      description: 'Sign-in with this passkey is refused because a cloned authenticator was detected. Remove it and register a new one.',
    }),
  },
  { additionalProperties: false },
);

export const PasskeyListSchema = Type.Object({ passkeys: Type.Array(PasskeySchema) }, { additionalProperties: false });

/** `/.well-known/apple-app-site-association`: the apps allowed to use this relying party's passkeys. */
export const AppleAppSiteAssociationSchema = Type.Object(
  { webcredentials: Type.Object({ apps: Type.Array(Type.String()) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

/** `/.well-known/assetlinks.json` (Digital Asset Links): Android apps that share this site's credentials. */
export const AssetLinksSchema = Type.Array(
  Type.Object(
    {
      relation: Type.Array(Type.String()),
      target: Type.Object(
        { namespace: Type.Literal('android_app'), package_name: Type.String(), sha256_cert_fingerprints: Type.Array(Type.String()) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
);

export type RegistrationCredential = Static<typeof RegistrationCredentialSchema>;
export type AuthenticationCredential = Static<typeof AuthenticationCredentialSchema>;
export type PasskeyRegistrationRequest = Static<typeof PasskeyRegistrationRequestSchema>;
export type PasskeySignInRequest = Static<typeof PasskeySignInRequestSchema>;
export type PasskeyRenameRequest = Static<typeof PasskeyRenameRequestSchema>;
export type PasskeyCreationOptions = Static<typeof PasskeyCreationOptionsSchema>;
export type PasskeyRequestOptions = Static<typeof PasskeyRequestOptionsSchema>;
export type Passkey = Static<typeof PasskeySchema>;
export type PasskeyList = Static<typeof PasskeyListSchema>;
export type AppleAppSiteAssociation = Static<typeof AppleAppSiteAssociationSchema>;
export type AssetLinks = Static<typeof AssetLinksSchema>;
