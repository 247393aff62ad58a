/**
 * @module config/schema
 *
 * The one configuration schema. Every field has a description and, where a safe one exists, a
 * default; `docs/config.md` is generated from this file and CI fails when the two drift. Each
 * field can be set from the environment as `PORTCULLIS_<PATH_IN_SCREAMING_SNAKE>` (derived
 * mechanically: `http.cors.allowedOrigins` ⇄ `PORTCULLIS_HTTP_CORS_ALLOWED_ORIGINS`) or from a
 * JSON file named by `PORTCULLIS_CONFIG_FILE`. Features are objects (`{ enabled, … }`), never
 * bare booleans, so they can grow options without breaking deployments.
 */
import Type, { type Static } from 'typebox';
import { CARDINALITIES, CLASSIFICATIONS, FIELD_TYPES } from '@portcullis/protocol';

const TlsSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('self-signed'), Type.Literal('files'), Type.Literal('upstream')], {
      default: 'self-signed',
      description:
        'How the API listener gets TLS. `self-signed`: a development certificate for localhost is generated into `<dataDir>/tls/` on first start (refused in production). `files`: the PEM files below. `upstream`: the listener speaks plain HTTP because a TLS-terminating proxy sits in front of it on a private network; `publicUrl` must still be `https://`.',
      examples: ['files'],
    }),
    certFile: Type.Optional(
      Type.String({
        description: 'PEM certificate chain, required when `mode` is `files`.',
        examples: ['/etc/portcullis/tls/fullchain.pem'],
      }),
    ),
    keyFile: Type.Optional(
      Type.String({
        description: 'PEM private key, required when `mode` is `files`. Keep it readable only by the server user.',
        examples: ['/etc/portcullis/tls/privkey.pem'],
      }),
    ),
    minVersion: Type.Union([Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')], {
      default: 'TLSv1.2',
      description:
        'Lowest TLS version accepted. Only forward-secret AEAD cipher suites are offered in either case (ECDHE with AES-GCM or ChaCha20-Poly1305; all TLS 1.3 suites).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'TLS of the API listener.' },
);

const HttpSchema = Type.Object(
  {
    host: Type.String({
      default: '127.0.0.1',
      description: 'Address the API listener binds to. Use `0.0.0.0` or `::` to accept connections from other hosts.',
      examples: ['0.0.0.0'],
    }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8443, description: 'Port of the API listener (0 picks a free port).' }),
    tls: TlsSchema,
    redirect: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description:
            'Run a plain-HTTP listener that only redirects `GET`/`HEAD` to `publicUrl` (308) and refuses every other request with `400 HTTPS_REQUIRED`. It never serves the API.',
        }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'Port of the redirect-only listener.' }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Plain-HTTP redirect listener. The API itself is never served over plain HTTP.',
      },
    ),
    hsts: Type.Object(
      {
        maxAgeSeconds: Type.Integer({
          minimum: 0,
          default: 31536000,
          description: '`Strict-Transport-Security` max-age. One year by default; ASVS asks for at least one year.',
        }),
        includeSubDomains: Type.Boolean({ default: true, description: 'Add `includeSubDomains` to HSTS.' }),
        preload: Type.Boolean({
          default: false,
          description: 'Add `preload` to HSTS (only after submitting the domain to the preload list).',
        }),
      },
      { additionalProperties: false, default: {}, description: 'HTTP Strict Transport Security.' },
    ),
    bodyLimitBytes: Type.Integer({
      minimum: 1024,
      maximum: 16777216,
      default: 102400,
      description: 'Largest request body accepted, in bytes; larger bodies get `413 REQUEST_BODY_TOO_LARGE` without being buffered.',
    }),
    requestTimeoutMs: Type.Integer({
      minimum: 1000,
      default: 30000,
      description: 'Time a client has to send a complete request before the connection is closed (slow-loris defence).',
    }),
    keepAliveTimeoutMs: Type.Integer({ minimum: 1000, default: 72000, description: 'Idle keep-alive timeout of client connections.' }),
    shutdownGraceMs: Type.Integer({
      minimum: 0,
      default: 10000,
      description: 'On SIGTERM/SIGINT, how long in-flight requests may take to finish before the process exits anyway.',
    }),
    trustProxy: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'Trust `X-Forwarded-*` headers. Enable only behind a proxy you control; otherwise clients can spoof their address.',
        }),
        addresses: Type.Array(Type.String(), {
          default: ['127.0.0.1', '::1'],
          description: 'Proxy addresses or CIDR ranges whose forwarded headers are trusted.',
          examples: [['10.0.0.0/8']],
        }),
      },
      { additionalProperties: false, default: {}, description: 'Reverse-proxy trust.' },
    ),
    cors: Type.Object(
      {
        allowedOrigins: Type.Array(Type.String(), {
          default: [],
          description:
            'Exact origins (scheme://host[:port]) that browsers may call the API from. `*` is refused in production. Requests that change state from any other origin are refused with `403 CORS_ORIGIN_FORBIDDEN`.',
          examples: [['https://app.example.com']],
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Cross-origin resource sharing allow-list. Native mobile apps send no Origin and are unaffected.',
      },
    ),
  },
  { additionalProperties: false, default: {}, description: 'The public API listener.' },
);

const DatabaseSchema = Type.Object(
  {
    url: Type.String({
      default: 'sqlite:portcullis.db',
      description:
        'Where data lives. `sqlite:<file>` (relative paths resolve inside `dataDir`) for the embedded default, or `postgres://user:pass@host:port/db` for production. The environment variable `DATABASE_URL` is accepted as an alias.',
      examples: ['postgres://portcullis@db.internal:5432/portcullis'],
    }),
    schema: Type.String({
      default: 'public',
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      description: 'PostgreSQL schema that holds every Portcullis table (created if missing). Lets one database host several deployments.',
      examples: ['portcullis'],
    }),
    poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: 'Maximum PostgreSQL connections per instance.' }),
    connectTimeoutMs: Type.Integer({
      minimum: 100,
      default: 3000,
      description: 'How long to wait for a PostgreSQL connection before answering `503 SERVICE_UNAVAILABLE`.',
    }),
    statementTimeoutMs: Type.Integer({
      minimum: 100,
      default: 15000,
      description: 'PostgreSQL `statement_timeout`: no query may hold a connection longer than this.',
    }),
    migrateOnStart: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description: 'Apply pending migrations when the server starts. Turn off to run `portcullis migrate` as a separate deploy step.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Automatic migrations at start.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Primary database.' },
);

const RedisSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        description:
          'Redis for state shared between instances (rate-limit counters, DPoP replay cache, revocation fan-out). Optional for one instance, required when `instances > 1`. `REDIS_URL` is accepted as an alias.',
        examples: ['redis://cache.internal:6379/0'],
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: 'Shared state between instances.' },
);

const LogSchema = Type.Object(
  {
    level: Type.Union(
      [
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
        Type.Literal('silent'),
      ],
      { default: 'info', description: 'Lowest level written. Secrets and personal data are redacted at every level.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'JSON logs (pino) on standard output.' },
);

const MetricsSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Serve Prometheus metrics on a separate admin listener.' }),
    host: Type.String({
      default: '127.0.0.1',
      description: 'Address of the metrics listener. Loopback by default: metrics are never exposed on the public listener.',
    }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 9464, description: 'Port of the metrics listener.' }),
  },
  { additionalProperties: false, default: {}, description: 'Prometheus metrics.' },
);

const KeysSchema = Type.Object(
  {
    ringFile: Type.Optional(
      Type.String({
        description:
          'JSON key ring holding the server secrets (token HMAC, code HMAC, DPoP nonce, token-derivation, secret-encryption, audit-signing and key-log-signing keys); create one with `portcullis keys generate` and keep it readable only by the server. Required in production; in development a ring is generated into `<dataDir>/keys/` on first start and refused in production.',
        examples: ['/run/secrets/portcullis-keyring.json'],
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: 'Server key material.' },
);

const KeyServiceSchema = Type.Object(
  {
    adapter: Type.Union([Type.Literal('local'), Type.Literal('pkcs11')], {
      default: 'local',
      description:
        "Where the key-encryption keys (KEKs) that wrap every person's data key live. `local`: a key file on this machine (`local.keyFile`). `pkcs11`: a PKCS#11 HSM (CloudHSM, Luna, YubiHSM, SoftHSM); wrapping and unwrapping happen inside the token and the KEK never leaves it. See docs/operations/key-service.md.",
      examples: ['pkcs11'],
    }),
    local: Type.Object(
      {
        keyFile: Type.Optional(
          Type.String({
            description:
              'JSON key file of the `local` adapter (mode 0600). Production refuses a key file inside `dataDir`: a copy of the data directory must not carry the keys that open it. Unset in development: `<dataDir>/key-service/kek.json`, created on first start; refused in production.',
            examples: ['/run/secrets/portcullis-kek.json'],
          }),
        ),
      },
      { additionalProperties: false, default: {}, description: 'The key-file adapter.' },
    ),
    pkcs11: Type.Object(
      {
        library: Type.Optional(
          Type.String({
            description: "Path of the vendor's PKCS#11 library (required for `pkcs11`).",
            examples: ['/usr/lib/softhsm/libsofthsm2.so', '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so'],
          }),
        ),
        tokenLabel: Type.Optional(
          Type.String({
            description: 'Label of the token (slot) that holds the KEKs (required for `pkcs11`).',
            examples: ['portcullis'],
          }),
        ),
        pinFile: Type.Optional(
          Type.String({
            description: "File holding the token's user PIN (surrounding whitespace ignored). Preferred over `pin`.",
            examples: ['/run/secrets/portcullis-hsm-pin'],
          }),
        ),
        pin: Type.Optional(
          Type.String({
            description:
              'The user PIN itself, when a file is not practical (`PORTCULLIS_KEY_SERVICE_PKCS11_PIN`). Never logged. For CloudHSM it is `<crypto user>:<password>`.',
          }),
        ),
        keyLabelPrefix: Type.String({
          default: 'portcullis-kek',
          pattern: '^[A-Za-z0-9._-]{1,48}$',
          description: 'KEK versions are AES-256 keys on the token labelled `<prefix>-v1`, `<prefix>-v2`, …; the highest is current.',
          examples: ['clinic-a-kek'],
        }),
      },
      { additionalProperties: false, default: {}, description: 'The PKCS#11 HSM adapter.' },
    ),
    cache: Type.Object(
      {
        maxKeys: Type.Integer({
          minimum: 0,
          maximum: 1000000,
          default: 10000,
          description:
            'Unwrapped data keys kept in memory (least recently used go first); 0 asks the key service for every read. While the key service is unreachable, only people whose key is held here can be served.',
        }),
        ttlSeconds: Type.Integer({
          minimum: 1,
          maximum: 86400,
          default: 300,
          description:
            'How long an unwrapped data key stays in memory. Bounds how long another instance can still read a person erased elsewhere, and how long reads survive a key-service outage.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'The in-memory cache of unwrapped data keys.' },
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The key service holding the key-encryption keys of personal data (docs/operations/key-service.md).',
  },
);

const PasswordsSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        'Use passwords at all. `false`: password sign-in, password change, reset request and confirmation, and sign-up with a password answer `403 PASSWORDS_DISABLED` without any password work, and the OpenAPI document says so; people sign up passkey-first (email address, emailed code, a session that can only register a passkey) and sign in with passkeys or providers. An existing password then no longer counts as a way in.',
    }),
    minLengthSingleFactor: Type.Integer({
      minimum: 8,
      maximum: 64,
      default: 15,
      description: 'Minimum length when the password is the only factor (NIST SP 800-63B-4: 15).',
    }),
    minLengthWithSecondFactor: Type.Integer({
      minimum: 8,
      maximum: 64,
      default: 8,
      description:
        'Minimum length when a password sign-in to the account is asked for a second factor (a confirmed authenticator app, a passkey, or a phone while SMS codes are on; NIST SP 800-63B-4: 8). Applies to a password change, and to a reset once its emailed code is proven; never to a sign-up.',
    }),
    maxLength: Type.Integer({ minimum: 64, maximum: 1024, default: 128, description: 'Maximum length accepted (at least 64).' }),
    argon2: Type.Object(
      {
        memoryKiB: Type.Integer({
          minimum: 19456,
          default: 19456,
          description: 'Argon2id memory cost in KiB (OWASP minimum 19456 = 19 MiB).',
        }),
        iterations: Type.Integer({ minimum: 2, default: 2, description: 'Argon2id time cost.' }),
        parallelism: Type.Integer({ minimum: 1, maximum: 16, default: 1, description: 'Argon2id lanes.' }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Argon2id parameters. Raising them rehashes each password at its next successful sign-in.',
      },
    ),
    maxConcurrentHashes: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description:
        'Hashes computed at once; further requests wait in line, so a burst cannot exhaust memory (each hash holds `memoryKiB`).',
    }),
    hibp: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description:
            'Also check new passwords against the Have I Been Pwned range API (k-anonymity: only 5 hex characters of the SHA-1 leave the server).',
        }),
        url: Type.String({
          default: 'https://api.pwnedpasswords.com/range/',
          description: 'Range API base URL; the hash prefix is appended.',
        }),
        timeoutMs: Type.Integer({
          minimum: 100,
          default: 2000,
          description: 'Give up on the range API after this long and rely on the offline list.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Have I Been Pwned breached-password check.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Password policy (NIST SP 800-63B-4) and hashing.' },
);

const SessionsSchema = Type.Object(
  {
    accessTokenTtlSeconds: Type.Integer({ minimum: 60, maximum: 3600, default: 600, description: 'Access token lifetime.' }),
    refreshIdleTtlSeconds: Type.Integer({
      minimum: 300,
      default: 604800,
      description: 'A session not refreshed for this long ends (7 days).',
    }),
    refreshAbsoluteTtlSeconds: Type.Integer({
      minimum: 3600,
      default: 2592000,
      description: 'A session ends this long after sign-in, whatever its use (30 days).',
    }),
    refreshGraceSeconds: Type.Integer({
      minimum: 0,
      maximum: 60,
      default: 10,
      description:
        'A refresh token already used may be presented again this long by the same DPoP key and gets the same new tokens (mobile resume race); any other reuse revokes the session.',
    }),
    lastUsedWriteIntervalSeconds: Type.Integer({
      minimum: 1,
      default: 60,
      description: 'Write `last used` at most this often per session (sliding-expiry writes are throttled).',
    }),
    bearerClients: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }), {
      default: [],
      uniqueItems: true,
      description:
        'Clients allowed unbound `Bearer` tokens (they name themselves in the `Portcullis-Client` header of a token request without a DPoP proof). Empty by default: every token is DPoP-bound. A bearer token works for anyone who copies it; list a client only when it cannot sign DPoP proofs, and remove it to end its sessions at once.',
    }),
    dpop: Type.Object(
      {
        proofMaxAgeSeconds: Type.Integer({
          minimum: 5,
          maximum: 600,
          default: 60,
          description: 'Accept proofs whose `iat` is at most this old (and at most 5 s in the future).',
        }),
        replayCacheMaxEntries: Type.Integer({
          minimum: 1000,
          maximum: 50_000_000,
          default: 1_000_000,
          description:
            'Proof ids the in-process replay cache (used when `redis.url` is unset) remembers at once, at 16–32 bytes each. Each is kept between one and two proof lifetimes (`proofMaxAgeSeconds` + 5 s), so the default serves about 7,500 authenticated requests per second; beyond that requests get 503 until ids expire. Raise it, or use Redis, for more.',
        }),
        nonce: Type.Object(
          {
            enabled: Type.Boolean({
              default: true,
              description: 'Require server-issued nonces in DPoP proofs (RFC 9449 section 8); limits pre-generated proofs.',
            }),
            lifetimeSeconds: Type.Integer({ minimum: 10, maximum: 3600, default: 300, description: 'How long a nonce stays valid.' }),
          },
          { additionalProperties: false, default: {}, description: 'Server-issued DPoP nonces.' },
        ),
      },
      { additionalProperties: false, default: {}, description: 'DPoP (RFC 9449) proof checks.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Session and token lifetimes.' },
);

const MailSchema = Type.Object(
  {
    smtpUrl: Type.Optional(
      Type.String({
        description:
          'SMTP server URL (`smtp://` or `smtps://`, credentials in the URL). Unset in development: mail goes to the outbox (`portcullis outbox`). `SMTP_URL` is accepted as an alias.',
        examples: ['smtps://user:pass@smtp.example.com:465'],
      }),
    ),
    from: Type.String({ default: 'Portcullis <no-reply@localhost>', description: 'Sender of every message.' }),
  },
  { additionalProperties: false, default: {}, description: 'Outgoing email.' },
);

const IntrospectionSchema = Type.Object(
  {
    clients: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
          secretHash: Type.String({ description: 'SHA-256 (hex) of the client secret; the secret itself is never configured.' }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Services allowed to call token introspection (RFC 7662) with HTTP Basic client credentials.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Token introspection for the app team’s own services.' },
);

const PemCertificateSchema = Type.String({
  pattern: '^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----\\s*$',
  description: 'One X.509 certificate in PEM form.',
});

const AttestationSchema = Type.Object(
  {
    conveyance: Type.Union([Type.Literal('none'), Type.Literal('direct')], {
      default: 'none',
      description:
        'Attestation asked of authenticators at registration. `none`: the authenticator model is not verified (right for consumer passkeys; synced passkeys never attest). `direct`: the attestation statement must be in one of `formats` and verify, so deployments can restrict staff to known hardware.',
    }),
    formats: Type.Array(Type.Union([Type.Literal('packed'), Type.Literal('apple'), Type.Literal('none')]), {
      default: ['packed', 'apple'],
      uniqueItems: true,
      description:
        'With `conveyance: direct`, the attestation statement formats accepted. `packed` (FIDO2 security keys, Windows Hello), `apple` (Apple devices), `none` (accept authenticators that do not attest).',
    }),
    selfAttestation: Type.Union([Type.Literal('accept'), Type.Literal('refuse')], {
      default: 'accept',
      description:
        'With `conveyance: direct`, whether a `packed` self-attestation (signed by the credential key itself, no certificate) is accepted. It proves nothing about the authenticator model; `refuse` when only certified hardware may register.',
    }),
    trustedRoots: Type.Object(
      {
        packed: Type.Array(PemCertificateSchema, {
          default: [],
          description:
            'Root certificates a `packed` attestation certificate chain must lead to (e.g. your security-key vendor roots). Empty: the chain is not checked, and the attestation only proves the authenticator holds the certified key it names.',
        }),
        apple: Type.Array(PemCertificateSchema, {
          default: [],
          description:
            'Root certificates for `apple` attestation. Empty: the Apple WebAuthn Root CA built into @simplewebauthn/server. Setting this replaces it for the whole process.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Attestation trust anchors, as PEM text (the configuration is frozen at start).',
      },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Attestation policy for passkey registration.' },
);

const AndroidAppSchema = Type.Object(
  {
    packageName: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)+$' }),
    sha256CertFingerprints: Type.Array(Type.String({ pattern: '^([0-9A-F]{2}:){31}[0-9A-F]{2}$' }), {
      minItems: 1,
      description: 'SHA-256 fingerprints of the app signing certificates, upper-case hex pairs separated by colons (`keytool -list -v`).',
    }),
  },
  { additionalProperties: false },
);

const PasskeysSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Serve passkey (WebAuthn) registration, sign-in and management.' }),
    rpId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 253,
        pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$',
        description:
          'Relying-party id: the domain passkeys are bound to, for good. Unset: the host of `publicUrl`. Use the registrable domain (`example.com`) when the web app and the API live on different subdomains; every https origin in `allowedOrigins` must be this domain or a subdomain of it. Changing it later orphans every registered passkey.',
        examples: ['example.com'],
      }),
    ),
    rpName: Type.String({
      minLength: 1,
      maxLength: 64,
      default: 'Portcullis',
      description: 'Relying-party name some authenticators show while creating a passkey.',
      examples: ['Example Clinic'],
    }),
    allowedOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      default: [],
      uniqueItems: true,
      description:
        'Origins a WebAuthn response may come from (the `origin` the client wrote into clientDataJSON). Web: exact `https://host[:port]` origins under `rpId`. Android apps: `android:apk-key-hash:<base64url SHA-256 of the signing certificate>`. iOS apps use the web origin `https://<rpId>`. Empty: `publicUrl` only.',
      examples: [['https://app.example.com', 'android:apk-key-hash:tpGq2B8ZlO4bV3Ix-XKn1WqUtULgxJqR6fC8I7uWX2c']],
    }),
    challengeTtlSeconds: Type.Integer({
      minimum: 30,
      maximum: 600,
      default: 300,
      description: 'How long a registration or sign-in challenge stays valid (single use either way); also sent to clients as `timeout`.',
    }),
    attestation: AttestationSchema,
    ios: Type.Object(
      {
        appIds: Type.Array(Type.String({ pattern: '^[A-Z0-9]{10}\\.[A-Za-z0-9.-]+$' }), {
          default: [],
          uniqueItems: true,
          description:
            "iOS apps (`<Team ID>.<bundle id>`) allowed to use this relying party's passkeys. When set, `/.well-known/apple-app-site-association` lists them under `webcredentials`; the app declares the `webcredentials:<rpId>` associated domain.",
          examples: [['ABCDE12345.com.example.clinic']],
        }),
      },
      { additionalProperties: false, default: {}, description: 'iOS associated domains for passkeys.' },
    ),
    android: Type.Object(
      {
        apps: Type.Array(AndroidAppSchema, {
          default: [],
          description:
            "Android apps allowed to use this relying party's passkeys. When set, `/.well-known/assetlinks.json` grants them `get_login_creds` and `handle_all_urls`; also list each app's `android:apk-key-hash:` origin in `allowedOrigins`.",
        }),
      },
      { additionalProperties: false, default: {}, description: 'Android Digital Asset Links for passkeys.' },
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Passkeys (WebAuthn): the primary, phishing-resistant sign-in. Sessions signed in with a passkey are `aal2_phr`.',
  },
);

const FederationClaimsSchema = Type.Object(
  {
    subject: Type.Optional(
      Type.String({
        default: 'sub',
        description:
          'Claim that identifies the person at the provider. It must never be reassigned to someone else (OIDC `sub` is; an email address is not). Change it only for providers whose `sub` is unstable.',
      }),
    ),
    email: Type.Optional(Type.String({ default: 'email', description: 'Claim holding the email address.' })),
    emailVerified: Type.Optional(
      Type.String({
        default: 'email_verified',
        description:
          'Claim saying whether the provider verified the address; `true` or the string `"true"` count as verified, anything else (including absence) as unverified. Microsoft Entra ID sends no `email_verified`: use `xms_edov` there, never assume.',
        examples: ['xms_edov'],
      }),
    ),
    givenName: Type.Optional(
      Type.String({ default: 'given_name', description: 'Claim holding the given name (returned to the app once, not stored).' }),
    ),
    familyName: Type.Optional(
      Type.String({ default: 'family_name', description: 'Claim holding the family name (returned to the app once, not stored).' }),
    ),
  },
  { additionalProperties: false, description: 'Which ID-token claims carry which attribute (defaults: the OIDC standard claim names).' },
);

const FederationAppleSchema = Type.Object(
  {
    teamId: Type.String({ pattern: '^[A-Z0-9]{10}$', description: 'Apple Developer Team ID (10 characters).', examples: ['ABCDE12345'] }),
    keyId: Type.String({
      pattern: '^[A-Z0-9]{10}$',
      description: 'Key ID of the Sign in with Apple private key (10 characters).',
      examples: ['XYZ987ABCD'],
    }),
    privateKeyFile: Type.String({
      description:
        'The `.p8` (PKCS #8 PEM, P-256) private key downloaded from the Apple developer portal. Keep it readable only by the server user; it signs the ES256 client secret.',
      examples: ['/run/secrets/AuthKey_XYZ987ABCD.p8'],
    }),
    clientSecretTtlSeconds: Type.Optional(
      Type.Integer({
        minimum: 300,
        maximum: 15777000,
        default: 3600,
        description:
          'Lifetime of each generated client secret JWT (Apple allows at most 6 months, 15,777,000 s). A new one is signed before the current one expires.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Sign in with Apple credentials (required when `kind` is `apple`).' },
);

const FederationProviderSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('apple'), Type.Literal('google'), Type.Literal('oidc')], {
      description:
        'Provider behaviour: `apple` (ES256 client secret, form_post, private relay, notifications), `google`, or any other OpenID Connect provider (`oidc`).',
    }),
    issuer: Type.Optional(
      Type.String({
        description:
          'Issuer identifier; ID tokens must carry exactly this `iss` and the discovery document must declare it. Defaults to `https://appleid.apple.com` (apple) and `https://accounts.google.com` (google); required for `oidc`.',
        examples: ['https://login.microsoftonline.com/<tenant-id>/v2.0'],
      }),
    ),
    discoveryUrl: Type.Optional(
      Type.String({
        description: 'OpenID discovery document URL. Defaults to `<issuer>/.well-known/openid-configuration`.',
        examples: ['https://keycloak.example.com/realms/clinic/.well-known/openid-configuration'],
      }),
    ),
    clientId: Type.String({
      minLength: 1,
      description:
        'Client id of the web redirect flow (Apple: the Services ID; Google: the Web application client id). Also accepted as ID-token audience.',
    }),
    audiences: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description:
          'Further audiences accepted in native ID tokens: Apple bundle ids; Google iOS and Android client ids (Google tokens from Android carry the web client id as `aud` and the Android one as `azp`).',
        examples: [['com.example.clinic']],
      }),
    ),
    clientSecretFile: Type.Optional(
      Type.String({
        description: 'File holding the client secret of the web flow (google, oidc). Without it the provider offers the native flow only.',
        examples: ['/run/secrets/google-client-secret'],
      }),
    ),
    clientAuthMethod: Type.Optional(
      Type.Union([Type.Literal('client_secret_post'), Type.Literal('client_secret_basic')], {
        default: 'client_secret_post',
        description:
          'How the secret is sent to the token endpoint (google, oidc). Apple always receives its ES256 client secret in the body.',
      }),
    ),
    apple: Type.Optional(FederationAppleSchema),
    scopes: Type.Optional(
      Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), {
        description:
          'Scopes requested in the web flow; only what sign-in needs. Defaults: `openid email name` (apple), `openid email profile` (google, oidc).',
      }),
    ),
    responseMode: Type.Optional(
      Type.Union([Type.Literal('query'), Type.Literal('form_post')], {
        description:
          'How the provider returns the code. Defaults to `form_post` for apple (required when asking for name or email) and `query` otherwise.',
      }),
    ),
    redirectUrl: Type.Optional(
      Type.String({
        description:
          'Callback URL registered at the provider. Defaults to `<publicUrl>/v1/federation/<id>/callback`; set it only when the API is reached under another URL (e.g. a path prefix at a proxy).',
      }),
    ),
    returnUrls: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
        default: [],
        description:
          'Exact app URLs the browser may be sent back to with the one-time exchange code: `https://` pages of the web app, or a claimed custom scheme / App Link of the mobile app. Compared as exact strings. While the server serves the reference web app (`web.enabled`), `<publicUrl>/federation/return` is accepted too without being listed.',
        examples: [['https://app.example.com/auth/return', 'com.example.clinic:/federation']],
      }),
    ),
    nativeNonce: Type.Optional(
      Type.Union([Type.Literal('raw'), Type.Literal('sha256-hex')], {
        description:
          'How the native app passed its nonce to the provider: `sha256-hex` (Apple convention: the hex SHA-256 of the raw nonce is in the token) or `raw` (Google). Defaults by kind.',
      }),
    ),
    idTokenAlgorithms: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('RS256'),
          Type.Literal('RS384'),
          Type.Literal('RS512'),
          Type.Literal('PS256'),
          Type.Literal('PS384'),
          Type.Literal('PS512'),
          Type.Literal('ES256'),
          Type.Literal('ES384'),
          Type.Literal('EdDSA'),
        ]),
        {
          default: ['RS256', 'ES256'],
          minItems: 1,
          description: 'Signature algorithms accepted on ID tokens and notifications. `none` and HMAC are never accepted.',
        },
      ),
    ),
    revocationUrl: Type.Optional(
      Type.String({
        description:
          "Token revocation endpoint used when an Apple identity is unlinked. Defaults to the discovery document's `revocation_endpoint` (`https://appleid.apple.com/auth/revoke`).",
      }),
    ),
    claims: Type.Optional(FederationClaimsSchema),
  },
  { additionalProperties: false },
);

const FederationSchema = Type.Object(
  {
    providers: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), FederationProviderSchema, {
      default: {},
      description:
        'Sign-in providers by id (the id appears in routes: `/v1/federation/<id>/start`). Set them in the JSON config file (`PORTCULLIS_CONFIG_FILE`); the environment cannot express them. Each entry has `kind`, `clientId`, `audiences`, `returnUrls`, secrets by file and optional claim mapping, described field by field, with Apple and Google examples, in docs/federation.md.',
    }),
    flowTtlSeconds: Type.Integer({
      minimum: 60,
      maximum: 1800,
      default: 600,
      description: 'How long a started web sign-in (its `state`) may take before the provider sends the browser back.',
    }),
    exchangeCodeTtlSeconds: Type.Integer({
      minimum: 10,
      maximum: 300,
      default: 60,
      description: 'How long the one-time exchange code handed to the app stays redeemable.',
    }),
    idTokenMaxAgeSeconds: Type.Integer({
      minimum: 60,
      maximum: 3600,
      default: 600,
      description: 'Native sign-in refuses ID tokens issued (`iat`) longer ago than this, whatever their expiry.',
    }),
    clockToleranceSeconds: Type.Integer({
      minimum: 0,
      maximum: 300,
      default: 30,
      description: 'Clock skew allowed on `exp`, `iat` and `nbf`.',
    }),
    jwksCooldownSeconds: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 30,
      description:
        'A provider key set is fetched again when a token names an unknown key, but at most once per this many seconds (a flood of forged `kid`s cannot turn into a flood of requests to the provider).',
    }),
    jwksMaxAgeSeconds: Type.Integer({ minimum: 60, maximum: 86400, default: 600, description: 'Provider key sets are cached this long.' }),
    httpTimeoutMs: Type.Integer({ minimum: 500, maximum: 30000, default: 5000, description: 'Timeout of each request to a provider.' }),
  },
  { additionalProperties: false, default: {}, description: 'Sign in with Apple, Google and other OpenID Connect providers.' },
);

const AuditSchema = Type.Object(
  {
    checkpointEveryEntries: Type.Integer({
      minimum: 1,
      maximum: 1000000,
      default: 1000,
      description:
        'Sign a new checkpoint (tree head) once this many audit entries were appended since the last one. Checkpoints are what outside witnesses keep; fewer entries between them narrows down where tampering happened.',
    }),
    checkpointEverySeconds: Type.Integer({
      minimum: 1,
      maximum: 86400,
      default: 60,
      description: 'Also sign a new checkpoint when this many seconds have passed since the last one and entries were appended since.',
    }),
    origin: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[^\\s+]+$',
        description:
          'Name of the log in its C2SP checkpoints and of the key that signs them, a schema-less URL without spaces or `+`. Defaults to `<host of publicUrl>/audit`. Changing it later makes earlier checkpoints verify only with the old verifier key.',
        examples: ['auth.example.com/audit'],
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'The tamper-evident audit log (RFC 9162 Merkle tree). Checkpoints are signed with the key ring’s `audit-signing` key (Ed25519); `portcullis audit verify` checks the whole log and `portcullis audit export` hands checkpoints to a witness.',
  },
);

function requiredLevel(defaultLevel: 'aal1' | 'aal2' | 'aal2_phr', who: string) {
  return Type.Union([Type.Literal('aal1'), Type.Literal('aal2'), Type.Literal('aal2_phr')], {
    default: defaultLevel,
    description: `Assurance a ${who} must reach at sign-in: \`aal1\` (password or federated sign-in alone), \`aal2\` (plus any second factor) or \`aal2_phr\` (a passkey).`,
  });
}

const MfaSchema = Type.Object(
  {
    requiredLevel: Type.Object(
      {
        patient: requiredLevel('aal1', 'patient'),
        clinician: requiredLevel('aal2_phr', 'clinician'),
        support: requiredLevel('aal2_phr', 'support agent'),
        admin: requiredLevel('aal2_phr', 'administrator'),
        auditor: requiredLevel('aal2_phr', 'auditor'),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'Multi-factor policy per role; an account needs the highest level of its roles, and a role not listed here needs `aal2_phr`. Someone who lacks the factor their role needs gets a session that can only enrol one.',
      },
    ),
    challengeTtlSeconds: Type.Integer({
      minimum: 60,
      maximum: 900,
      default: 300,
      description: 'How long a sign-in challenge (`MFA_REQUIRED`) waits for the second factor.',
    }),
    attemptsPerChallenge: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 5,
      description: 'Wrong second-factor codes accepted per challenge before it is spent.',
    }),
    attemptsPerAccount: Type.Integer({
      minimum: 3,
      maximum: 100,
      default: 10,
      description:
        'Wrong codes (TOTP, recovery) accepted per account, across challenges, before code factors lock for `lockoutSeconds`. Passkeys keep working. The count resets on a correct code.',
    }),
    lockoutSeconds: Type.Integer({
      minimum: 60,
      maximum: 86400,
      default: 900,
      description: 'How long code factors stay locked after the account budget is spent; the person is told by email.',
    }),
    emailCodes: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            'Offer a one-time code sent to the account’s verified email address as an alternative second factor. Only for accounts whose roles need `aal1` (people who chose a second factor themselves), never for staff: email is not an out-of-band authenticator (NIST SP 800-63B), and whoever controls the mailbox can also reset the password.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Sign-in codes by email.' },
    ),
    smsCodes: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description:
            'Let people add a phone number and receive sign-in codes by SMS. Off by default: SMS is a restricted authenticator (NIST SP 800-63B §5.1.3.3) and needs a provider. When on, only for accounts whose roles need `aal1`, never for staff. Needs an SMS provider (`sms.url`) in production; in development messages go to the outbox.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Phone numbers and sign-in codes by SMS.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Second factors and assurance levels.' },
);

const SmsSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        description:
          'SMS provider endpoint: each message is `POST`ed as JSON `{ to, text, from? }` with `Authorization: Bearer <token>`; any 2xx answer means accepted (see docs/mfa.md). Must be `https://` unless the provider is on loopback; the certificate is always verified. Unset in development: messages go to the outbox (`portcullis outbox`).',
        examples: ['https://sms-relay.internal/v1/messages'],
      }),
    ),
    tokenFile: Type.Optional(
      Type.String({
        description: 'File holding the bearer token for `url` (surrounding whitespace ignored). Preferred over `token`.',
        examples: ['/run/secrets/portcullis-sms-token'],
      }),
    ),
    token: Type.Optional(
      Type.String({
        description: 'The bearer token itself, when a file is not practical. Never logged.',
      }),
    ),
    senderId: Type.Optional(
      Type.String({
        pattern: '^([A-Za-z0-9 ]{1,11}|\\+[1-9][0-9]{6,14})$',
        description: 'Sender the provider shows: an alphanumeric id (up to 11 characters) or a number in E.164 form. Sent as `from`.',
        examples: ['Portcullis'],
      }),
    ),
    timeoutMs: Type.Integer({
      minimum: 500,
      maximum: 30000,
      default: 5000,
      description: 'Limit for one request to the provider; the person can ask for the code again after it.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Outgoing text messages (SMS) for sign-in codes.' },
);

const PermissionSchema = Type.String({
  pattern: '^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$',
  description: 'A permission, `resource:action` (e.g. `records:read_granted`).',
});

const AccessSchema = Type.Object(
  {
    roles: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Type.Array(PermissionSchema, { uniqueItems: true }), {
      default: {
        patient: ['records:read_own', 'grants:manage_own', 'profiles:read', 'messages:use'],
        clinician: ['records:read_granted', 'records:write_granted', 'profiles:read', 'elevation:request', 'messages:use'],
        support: [
          'accounts:read_masked',
          'accounts:manage_access',
          'profiles:read',
          'profiles:read_private',
          'elevation:request',
          'alerts:read',
        ],
        admin: [
          'alerts:read',
          'security:read',
          'profiles:read',
          'accounts:read_masked',
          'accounts:read_personal',
          'accounts:manage_access',
          'accounts:reset_mfa',
          'roles:manage',
          'elevation:approve',
          'accounts:erase',
        ],
        auditor: ['audit:read', 'elevation:request'],
      },
      description:
        'Permissions of each role (deny by default: an account holds only the union of its roles’ permissions, and a role not listed here holds none). A route declaring a permission that no role lists is a start-up error. Set it in the JSON config file (`PORTCULLIS_CONFIG_FILE`); replacing the map replaces every role. The default table is explained in docs/access-control.md.',
      examples: [{ patient: ['records:read_own', 'grants:manage_own'], clinician: ['records:read_granted', 'records:write_granted'] }],
    }),
    elevation: Type.Object(
      {
        maxSeconds: Type.Integer({
          minimum: 60,
          maximum: 3600,
          default: 3600,
          description: 'Longest time-boxed elevation a staff member may request (at most an hour); it ends by itself.',
        }),
        approval: Type.Object(
          {
            enabled: Type.Boolean({
              default: false,
              description:
                'Every elevation waits for a second person holding `elevation:approve` (never the requester). Off: elevations to roles other than `admin` start at once (audited, visible).',
            }),
          },
          { additionalProperties: false, default: {}, description: 'Second-person approval of elevations.' },
        ),
        adminApproval: Type.Object(
          {
            enabled: Type.Boolean({
              default: true,
              description:
                'Elevation to `admin` and granting the `admin` role wait for approval by a second admin (never the requester or the person concerned), whatever `approval.enabled` says.',
            }),
          },
          { additionalProperties: false, default: {}, description: 'Two admins for the admin role.' },
        ),
      },
      { additionalProperties: false, default: {}, description: 'Time-boxed elevation to another role (docs/access-control.md).' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Roles and permissions (least privilege, deny by default).' },
);

const FieldDeclarationSchema = Type.Object(
  {
    type: Type.Enum(FIELD_TYPES, {
      description:
        'Value type: `text` (a string; needs `maxLength`), `date` (ISO `yyyy-mm-dd`, a real calendar date), `number`, `enum` (one of `values`), `boolean`.',
    }),
    classification: Type.Enum(CLASSIFICATIONS, {
      description:
        'Who may see the value: `public` anyone signed in; `care_team` the person and clinicians they granted access; `private` the person and support staff; `phi` (health information) the person and their care team. Every value that is not `public` is encrypted under the person’s own data key.',
    }),
    required: Type.Optional(Type.Boolean({ description: 'The field must be given whenever the record is written.' })),
    description: Type.Optional(Type.String({ maxLength: 500, description: 'What the field holds (shown in the OpenAPI document).' })),
    minLength: Type.Optional(Type.Integer({ minimum: 0, description: '`text`: fewest characters.' })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: '`text`: most characters (required for text).' })),
    pattern: Type.Optional(Type.String({ description: '`text`: regular expression (Unicode) the whole value must match; anchor it.' })),
    minimum: Type.Optional(Type.Number({ description: '`number`: smallest value.' })),
    maximum: Type.Optional(Type.Number({ description: '`number`: largest value.' })),
    integer: Type.Optional(Type.Boolean({ description: '`number`: only whole numbers.' })),
    values: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        uniqueItems: true,
        description: '`enum`: the allowed values (at least one).',
      }),
    ),
  },
  { additionalProperties: false, description: 'One declared field.' },
);

const RecordTypeSchema = Type.Object(
  {
    cardinality: Type.Enum(CARDINALITIES, {
      description: '`one`: at most one per person (only the `profile` type); `many`: entries of the patient file.',
    }),
    description: Type.String({ minLength: 1, maxLength: 500, description: 'What records of this type are.' }),
    fields: Type.Record(Type.String(), FieldDeclarationSchema, { description: 'The fields, by name (camelCase).' }),
  },
  { additionalProperties: false, description: 'A declared record type.' },
);

/** The clinic: a profile everyone has, and the entries of the patient file. */
const CLINIC_RECORD_TYPES = {
  profile: {
    cardinality: 'one',
    description: 'What a person tells about themselves when they register or later.',
    fields: {
      displayName: { type: 'text', minLength: 1, maxLength: 80, classification: 'public', description: 'The name others see.' },
      pronouns: { type: 'text', maxLength: 40, classification: 'public', description: 'How to refer to the person.' },
      dateOfBirth: { type: 'date', classification: 'private', description: 'Date of birth.' },
      phone: {
        type: 'text',
        pattern: '^\\+[1-9][0-9]{6,14}$',
        maxLength: 16,
        classification: 'private',
        description: 'Contact phone number in E.164 form (`+15550100`).',
      },
      address: { type: 'text', maxLength: 300, classification: 'private', description: 'Postal address.' },
      emergencyContact: {
        type: 'text',
        maxLength: 300,
        classification: 'care_team',
        description: 'Whom the care team should call in an emergency.',
      },
    },
  },
  'file-entry': {
    cardinality: 'many',
    description: 'An entry of the patient file, written by a clinician the patient granted `write` access.',
    fields: {
      kind: {
        type: 'enum',
        values: ['note', 'observation', 'prescription', 'diagnosis', 'allergy', 'medication'],
        required: true,
        classification: 'phi',
        description: 'What the entry is.',
      },
      note: { type: 'text', minLength: 1, maxLength: 10000, classification: 'phi', description: 'Free text.' },
      diagnosis: { type: 'text', minLength: 1, maxLength: 2000, classification: 'phi', description: 'A diagnosis.' },
      medication: { type: 'text', minLength: 1, maxLength: 2000, classification: 'phi', description: 'A medication and its dosage.' },
      allergy: { type: 'text', minLength: 1, maxLength: 2000, classification: 'phi', description: 'An allergy.' },
    },
  },
} as const;

const RecordsSchema = Type.Object(
  {
    types: Type.Record(Type.String(), RecordTypeSchema, {
      default: CLINIC_RECORD_TYPES,
      description:
        'Declared record types, by name (lower case and `-`). `profile` (cardinality `one`) is each person’s profile; every other type (cardinality `many`) is a kind of patient-file entry. Each field has a type, limits and a classification that decides who receives it; request and response schemas, the OpenAPI document (`x-classification`), encryption at rest and log redaction all follow from these declarations. Checked at start-up. Set it in the JSON config file; replacing the map replaces every type. See docs/records.md.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Declared personal data: record types, their fields and classifications.' },
);

const MessagingRuleSchema = Type.Object(
  {
    between: Type.Tuple([Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' })], {
      description: 'Two roles (`access.roles`); the rule applies to a person holding the first and a person holding the second.',
    }),
    when: Type.Union([Type.Literal('always'), Type.Literal('records_grant')], {
      description:
        '`always`; or `records_grant`: only while the person holding the first role has granted the other access to their patient file (`POST /v1/records/grants`, any scope).',
    }),
  },
  { additionalProperties: false },
);

const MessagingSchema = Type.Object(
  {
    policy: Type.Object(
      {
        rules: Type.Array(MessagingRuleSchema, {
          default: [
            { between: ['patient', 'clinician'], when: 'records_grant' },
            { between: ['clinician', 'clinician'], when: 'always' },
          ],
          description:
            'Who may talk to whom, enforced by the server (deny by default): two different people may share a conversation, claim each other’s KeyPackages or list each other’s devices only if a rule allows it. A person’s own devices always may. Support, admins and auditors appear in no default rule, so they can neither join nor read conversations.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'The messaging policy (docs/security/messaging.md).' },
    ),
    keyPackages: Type.Object(
      {
        maxUnclaimed: Type.Integer({
          minimum: 1,
          maximum: 10000,
          default: 200,
          description: 'Most one-time KeyPackages a device may have waiting to be claimed.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'MLS KeyPackages uploaded by devices.' },
    ),
    maxMessageBytes: Type.Integer({
      minimum: 1024,
      maximum: 1048576,
      default: 65536,
      description: 'Largest application message (the MLSMessage bytes, before base64url).',
    }),
    maxHandshakeBytes: Type.Integer({
      minimum: 4096,
      maximum: 8388608,
      default: 1048576,
      description: 'Largest commit plus its Welcome (the MLSMessage bytes, before base64url); a commit adding many devices needs more.',
    }),
    mailbox: Type.Object(
      {
        retentionDays: Type.Integer({
          minimum: 1,
          maximum: 365,
          default: 30,
          description:
            'How long a message or attachment waits for a device that does not fetch it. Older entries are deleted, acknowledged or not; a device offline longer rejoins its conversations from a new Welcome.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Per-device mailboxes of the delivery service.' },
    ),
    events: Type.Object(
      {
        heartbeatSeconds: Type.Integer({
          minimum: 1,
          maximum: 120,
          default: 20,
          description:
            'A comment line keeps idle event streams open through proxies; with each one the server also checks that the stream’s session is still valid and ends the stream if not.',
        }),
        pollSeconds: Type.Integer({
          minimum: 1,
          maximum: 600,
          default: 30,
          description: 'Streams also look for new entries this often, so a lost wake-up (a Redis outage) costs at most this long.',
        }),
        maxStreamSeconds: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 300,
          description:
            'An event stream ends after this long and the client reconnects with a fresh DPoP proof and its `Last-Event-ID`, so a stream never outlives its credential by much.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Server-sent event streams of new mailbox entries (`GET /v1/messaging/events`).',
      },
    ),
    attachments: Type.Object(
      {
        maxBytes: Type.Integer({
          minimum: 1024,
          maximum: 104857600,
          default: 10485760,
          description: 'Largest attachment (the encrypted bytes the client uploads).',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Encrypted attachments of conversations.' },
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'End-to-end encrypted messaging (MLS): the delivery service relays ciphertext it cannot read.',
  },
);

function windowLimit(defaults: { max: number; windowSeconds: number }, description: string) {
  return Type.Object(
    {
      max: Type.Integer({ minimum: 1, default: defaults.max, description: 'How many the window allows.' }),
      windowSeconds: Type.Integer({ minimum: 1, maximum: 604800, default: defaults.windowSeconds, description: 'Window length.' }),
    },
    { additionalProperties: false, default: {}, description },
  );
}

const DefenseSchema = Type.Object(
  {
    passwordFailures: Type.Object(
      {
        perAccountAndNetwork: Type.Array(
          Type.Object(
            {
              max: Type.Integer({ minimum: 1 }),
              windowSeconds: Type.Integer({ minimum: 1, maximum: 604800 }),
            },
            { additionalProperties: false },
          ),
          {
            minItems: 1,
            maxItems: 5,
            default: [
              { max: 5, windowSeconds: 60 },
              { max: 10, windowSeconds: 900 },
              { max: 20, windowSeconds: 86400 },
            ],
            description:
              'Progressive delays: wrong passwords for one address from one network (an IPv4 address or IPv6 /64) allowed per window, each step longer. A correct password clears them.',
          },
        ),
        perAccount: windowLimit(
          { max: 100, windowSeconds: 86400 },
          'Wrong passwords for one address from anywhere (NIST SP 800-63B: at most 100 in a row). When spent, password sign-in for the address pauses; passkeys, federated sign-in and password reset keep working, and the owner is told by email. A correct password or a completed reset clears it.',
        ),
        perNetwork: windowLimit(
          { max: 100, windowSeconds: 3600 },
          'Wrong passwords from one network (an IPv4 address or IPv6 /64), whichever addresses they were for: one source trying a leaked list.',
        ),
        global: windowLimit(
          { max: 3000, windowSeconds: 60 },
          'Wrong passwords across the deployment. Above it (a credential-stuffing wave from many networks), networks with a wrong password in the last `perNetwork` window are refused; networks without one still sign in.',
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'Credential-stuffing defences for password checks (sign-in and password change). Counted for every address, with an account or not, so a refusal reveals nothing. Refused attempts answer `429 AUTH_PASSWORD_THROTTLED` with `Retry-After` and cost no Argon2id work.',
      },
    ),
    attackMode: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            'Watch failed password sign-ins across the deployment and, during a wave, ask every password sign-in of an account without a second factor for a code sent to the account’s verified email address, unless it comes from a known device on a network that device has signed in from before. What a legitimate person pays while it lasts: one emailed code for a password sign-in from a new device or from a network their device has not used (passkeys, second factors and federated sign-in are not affected).',
        }),
        windowMinutes: Type.Integer({
          minimum: 2,
          maximum: 60,
          default: 10,
          description:
            'The sliding window the failure ratio is measured over, in whole minutes (the current minute included). Longer: slower to start, steadier.',
        }),
        minFailures: Type.Integer({
          minimum: 10,
          maximum: 1000000,
          default: 200,
          description:
            'Failed password sign-ins the window must hold before attack mode can start, so a quiet deployment with a few typos never starts it. Keep it above `passwordFailures.perNetwork.max`, so one network alone cannot start it for everyone.',
        }),
        ratioFloor: Type.Number({
          minimum: 0.1,
          maximum: 0.99,
          default: 0.5,
          description:
            'The failure ratio (failed / all password sign-ins in the window) at or above which attack mode starts, whatever the usual ratio. Lower: starts sooner, and more people are asked for a code.',
        }),
        usualMultiplier: Type.Number({
          minimum: 1,
          maximum: 100,
          default: 3,
          description:
            'Attack mode starts only when the window’s failure ratio is also at least this many times the usual one (the ratio over the previous 24 full hours, outside attack mode). The resulting threshold never exceeds 0.95.',
        }),
        holdSeconds: Type.Integer({
          minimum: 60,
          maximum: 86400,
          default: 900,
          description:
            'How long attack mode lasts after the last moment the wave was seen; then it ends by itself. Keep it at least the window, so it does not end while the wave is still in the window.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'Attack mode (docs/security/defense.md): when failed password sign-ins rise far above their usual rate, password sign-ins need the emailed code for a while (except from a known device on a network it has used). Started and ended once per deployment (audited as `defense.attack_mode_started` and `defense.attack_mode_ended`), shown to admins by `GET /v1/admin/alerts` and as the `portcullis_attack_mode_active` metric.',
      },
    ),
    newDevice: Type.Object(
      {
        confirm: Type.Boolean({
          default: true,
          description:
            'New-device confirmation: a correct password for an account without a second factor, from a DPoP key the account has never used, opens no session until the person answers, from that same key, a one-time code sent to their verified email address (an account whose phone may receive sign-in codes has a second factor and is asked for it instead). The network never vouches for a device. Passkey and federated sign-ins and accounts with a second factor are not affected. Costs a legitimate person one emailed code per new device (a reinstalled app is a new device); clients that cannot keep a DPoP key (`sessions.bearerClients`) pay it at every password sign-in.',
        }),
        notify: Type.Boolean({
          default: true,
          description:
            'Email the person when a session opens on a device the account has not used before (its first device excepted), with a link that ends that session ("this was not me").',
        }),
        noticeLinkTtlSeconds: Type.Integer({
          minimum: 600,
          maximum: 2592000,
          default: 604800,
          description: 'How long the "this was not me" link of a new-device email works (default 7 days).',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Defences that treat a device the account has never used as a stranger (docs/security/defense.md).',
      },
    ),
    breachedPasswords: Type.Object(
      {
        checkAtSignIn: Type.Boolean({
          default: true,
          description:
            'After a correct password, look it up in the offline breached-password list (and Have I Been Pwned when `passwords.hibp.enabled`). A match opens a session that can only change the password (`restriction.reason: password_breached` in the token response); it is checked after any second factor or new-device code, so whoever merely holds the leaked password gets nothing. If the breach service cannot answer, the sign-in goes on as usual.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Known-breached passwords at sign-in (docs/security/defense.md).' },
    ),
    requests: Type.Object(
      {
        perNetwork: windowLimit(
          { max: 300, windowSeconds: 60 },
          'Requests one network may make to the anonymous routes that declare `limit: network` (sign-in, passkey and federated sign-in, code checks).',
        ),
        costlyPerNetwork: windowLimit(
          { max: 20, windowSeconds: 600 },
          'Requests one network may make to the anonymous routes that create accounts or send mail (`limit: network-costly`: sign-up, password reset request).',
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'Per-network limits on anonymous routes, answered `429 RATE_LIMITED` with `Retry-After` before the body is read. Behind a reverse proxy, set `http.trustProxy` or every client counts as the proxy.',
      },
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'Abuse limits (docs/security/defense.md). Counters live in memory for one instance and in Redis (`redis.url`) when instances share it; keys are HMACs, never addresses or IPs.',
  },
);

const WebSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        'Serve the reference web app (`packages/web`) at `/`, on the same origin as the API, under its own strict Content-Security-Policy. Turn off for an API-only deployment.',
    }),
    dir: Type.Optional(
      Type.String({
        description:
          'Directory holding the built web app (`index.html` and `assets/`), read once at start. Unset: `packages/web/dist` of the checkout the server runs from. When it or its `index.html` is missing, the server starts, logs a warning and answers `/` with `503 WEB_APP_NOT_BUILT`.',
        examples: ['/srv/portcullis/web'],
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: 'The reference web app served at `/`.' },
);

export const ConfigSchema = Type.Object(
  {
    environment: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
      default: 'development',
      description:
        'Deployment environment. `production` turns every insecure default into a start-up error. `NODE_ENV` is accepted as an alias.',
    }),
    publicUrl: Type.String({
      default: 'https://localhost:8443',
      description:
        'The URL clients use to reach the API, and the one `npm start` tells them to use. Must be `https://` in production; it anchors redirects, HSTS, DPoP `htu` checks (a proof naming any other URL is refused) and, unless `passkeys.rpId` is set, the passkey relying party.',
      examples: ['https://auth.example.com'],
    }),
    dataDir: Type.String({
      default: './data',
      description: 'Directory for the embedded database, development keys and the development TLS certificate. Created with mode 0700.',
    }),
    instances: Type.Integer({
      minimum: 1,
      default: 1,
      description: 'How many server instances share this deployment. Above 1, shared state must live in Redis (`redis.url`).',
    }),
    http: HttpSchema,
    database: DatabaseSchema,
    redis: RedisSchema,
    log: LogSchema,
    metrics: MetricsSchema,
    keys: KeysSchema,
    keyService: KeyServiceSchema,
    passwords: PasswordsSchema,
    sessions: SessionsSchema,
    mfa: MfaSchema,
    mail: MailSchema,
    sms: SmsSchema,
    introspection: IntrospectionSchema,
    audit: AuditSchema,
    federation: FederationSchema,
    passkeys: PasskeysSchema,
    access: AccessSchema,
    records: RecordsSchema,
    messaging: MessagingSchema,
    defense: DefenseSchema,
    web: WebSchema,
  },
  { additionalProperties: false, description: 'Portcullis server configuration.' },
);

export type Config = Static<typeof ConfigSchema>;

/** A deep-partial view used by tests and the file loader to override individual fields. */
export type ConfigOverrides = { [K in keyof Config]?: Config[K] extends object ? DeepPartial<Config[K]> : Config[K] };
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
