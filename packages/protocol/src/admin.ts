/**
 * @module admin
 *
 * Wire schemas of the admin API (accounts with masked personal data, lock and unlock, forced
 * sign-out, second-factor reset, roles) and of time-boxed elevation (a staff member asks for a
 * role for at most an hour, with a reason; a second person may have to approve). Email
 * addresses leave the server masked (`a•••@example.com`) unless the caller holds
 * `accounts:read_personal` and passed a fresh step-up for that very request.
 */
import Type, { type Static } from 'typebox';

const IdSchema = Type.String({ format: 'uuid', description: 'Identifier (UUID).' });
const RoleSchema = Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'A role from `access.roles`.' });
const Time = Type.String({ format: 'date-time' });

export const AccountIdParamsSchema = Type.Object({ accountId: IdSchema }, { additionalProperties: false });
export type AccountIdParams = Static<typeof AccountIdParamsSchema>;

export const AdminAccountQuerySchema = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, description: 'Exact email address (case-insensitive).' })),
    role: Type.Optional(RoleSchema),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('locked')])),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]|[1-9][0-9]|100)$', description: 'Page size, 1–100 (default 50).' })),
    after: Type.Optional(Type.String({ format: 'uuid', description: '`nextAfter` of the previous page.' })),
  },
  { additionalProperties: false },
);
export type AdminAccountQuery = Static<typeof AdminAccountQuerySchema>;

export const AdminAccountSchema = Type.Object(
  {
    id: IdSchema,
    email: Type.String({ description: 'Masked (`a•••@example.com`) unless `masked` is false.' }),
    masked: Type.Boolean(),
    emailVerified: Type.Boolean(),
    roles: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('active'), Type.Literal('locked')]),
    createdAt: Time,
  },
  { additionalProperties: false },
);
export type AdminAccount = Static<typeof AdminAccountSchema>;

export const AdminAccountListSchema = Type.Object(
  {
    accounts: Type.Array(AdminAccountSchema),
    nextAfter: Type.Union([IdSchema, Type.Null()], { description: 'Pass as `after` for the next page; null on the last.' }),
  },
  { additionalProperties: false },
);
export type AdminAccountList = Static<typeof AdminAccountListSchema>;

export const AdminSessionSchema = Type.Object(
  {
    id: Type.String(),
    device: Type.Object({ label: Type.String(), platform: Type.String() }, { additionalProperties: false }),
    aal: Type.String(),
    createdAt: Time,
    lastUsedAt: Time,
  },
  { additionalProperties: false },
);

export const AttackModeAlertSchema = Type.Object(
  {
    kind: Type.Literal('attack_mode'),
    since: Type.String({ format: 'date-time', description: 'When attack mode started.' }),
    until: Type.String({
      format: 'date-time',
      description: 'When it ends by itself unless the wave is seen again (each failed wave moves it later).',
    }),
    message: Type.String({ description: 'One sentence for the banner.' }),
    failureRatio: Type.Number({ minimum: 0, maximum: 1, description: 'Failed / all password sign-ins in the window.' }),
    failures: Type.Integer({ minimum: 0, description: 'Failed password sign-ins in the window.' }),
    attempts: Type.Integer({ minimum: 0, description: 'All password sign-ins in the window.' }),
    usualRatio: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'The failure ratio over the previous 24 full hours outside attack mode.',
    }),
    threshold: Type.Number({ minimum: 0, maximum: 1, description: 'The failure ratio at or above which a wave is seen.' }),
  },
  {
    additionalProperties: false,
    description:
      'Failed password sign-ins across the deployment are far above their usual rate: password sign-ins (except from a known device on a network it has used) need a code sent to the account’s email address until `until`.',
  },
);
export type AttackModeAlert = Static<typeof AttackModeAlertSchema>;

export const AdminAlertListSchema = Type.Object(
  {
    alerts: Type.Array(AttackModeAlertSchema, {
      description: 'What an admin console shows as a banner now; empty when all is quiet. Told apart by `kind`.',
    }),
  },
  { additionalProperties: false },
);
export type AdminAlertList = Static<typeof AdminAlertListSchema>;

export const RoleCoverageSchema = Type.Object(
  {
    role: Type.String(),
    requiredLevel: Type.Union([Type.Literal('aal1'), Type.Literal('aal2'), Type.Literal('aal2_phr')], {
      description: 'What the role must reach at sign-in (`mfa.requiredLevel`): `aal2_phr` is a passkey.',
    }),
    accounts: Type.Integer({ minimum: 0, description: 'Accounts holding the role (locked ones included).' }),
    withSecondFactor: Type.Integer({
      minimum: 0,
      description: 'Of those, accounts with a passkey, a confirmed authenticator app or a confirmed phone.',
    }),
    withPasskey: Type.Integer({ minimum: 0, description: 'Of those, accounts with at least one passkey.' }),
  },
  { additionalProperties: false },
);
export type RoleCoverage = Static<typeof RoleCoverageSchema>;

export const AdminOverviewSchema = Type.Object(
  {
    tls: Type.Object(
      {
        mode: Type.Union([Type.Literal('self-signed'), Type.Literal('files'), Type.Literal('upstream')], {
          description: '`http.tls.mode`: `upstream` means a TLS-terminating proxy in front.',
        }),
        minVersion: Type.Union([Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')]),
      },
      { additionalProperties: false },
    ),
    keyService: Type.Object(
      {
        adapter: Type.Union([Type.Literal('local'), Type.Literal('pkcs11')], { description: 'Where the key-encryption keys live.' }),
        status: Type.Union([Type.Literal('up'), Type.Literal('unavailable')], { description: 'Whether it answered just now.' }),
        currentVersion: Type.Union([Type.String(), Type.Null()], { description: 'The KEK version new wraps use; null when unavailable.' }),
      },
      { additionalProperties: false },
    ),
    secondFactorCoverage: Type.Array(RoleCoverageSchema, { description: 'One row per configured role, in `access.roles` order.' }),
    signInFailures: Type.Object(
      {
        windowMinutes: Type.Integer({ minimum: 1, description: 'The recent window counted (`defense.attackMode.windowMinutes`).' }),
        failures: Type.Integer({ minimum: 0, description: 'Failed password sign-ins in the window, deployment-wide.' }),
        attempts: Type.Integer({ minimum: 0, description: 'All password sign-ins in the window.' }),
        usualRatio: Type.Number({ minimum: 0, maximum: 1, description: 'The usual failure ratio over the previous 24 hours.' }),
        attackMode: Type.Boolean({ description: 'Whether attack mode is on now (see `GET /v1/admin/alerts`).' }),
      },
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    description: 'The deployment’s security at a glance: counts and settings only, never an account or personal data.',
  },
);
export type AdminOverview = Static<typeof AdminOverviewSchema>;

export const ElevationStatusSchema = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('active'),
    Type.Literal('expired'),
    Type.Literal('ended'),
    Type.Literal('denied'),
    Type.Literal('granted'),
  ],
  {
    description:
      '`pending`: waits for approval; `active`: in force until `expiresAt`; `expired`: ran out; `ended`: ended early; `denied`: refused; `granted`: a permanent role grant that was approved.',
  },
);

export const ElevationSchema = Type.Object(
  {
    id: IdSchema,
    accountId: IdSchema,
    role: Type.String(),
    kind: Type.Union([Type.Literal('elevation'), Type.Literal('grant')], {
      description: '`elevation`: time-boxed; `grant`: a permanent role change waiting for a second admin.',
    }),
    reason: Type.String(),
    status: ElevationStatusSchema,
    requestedBy: IdSchema,
    requestedAt: Time,
    durationSeconds: Type.Union([Type.Integer(), Type.Null()]),
    approvedBy: Type.Union([IdSchema, Type.Null()]),
    expiresAt: Type.Union([Time, Type.Null()]),
  },
  { additionalProperties: false },
);
export type Elevation = Static<typeof ElevationSchema>;

export const ElevationListSchema = Type.Object({ elevations: Type.Array(ElevationSchema) }, { additionalProperties: false });
export type ElevationList = Static<typeof ElevationListSchema>;

export const AdminAccountDetailSchema = Type.Object(
  {
    account: AdminAccountSchema,
    sessions: Type.Array(AdminSessionSchema),
    elevations: Type.Array(ElevationSchema, { description: 'Pending and active elevations and grants.' }),
  },
  { additionalProperties: false },
);
export type AdminAccountDetail = Static<typeof AdminAccountDetailSchema>;

export const AdminActionResultSchema = Type.Object(
  { status: Type.Union([Type.Literal('active'), Type.Literal('locked')]), revokedSessions: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type AdminActionResult = Static<typeof AdminActionResultSchema>;

export const MfaResetResultSchema = Type.Object(
  {
    removed: Type.Object(
      {
        totp: Type.Integer({ minimum: 0 }),
        recoveryCodeSets: Type.Integer({ minimum: 0 }),
        passkeys: Type.Integer({ minimum: 0 }),
        phones: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    revokedSessions: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type MfaResetResult = Static<typeof MfaResetResultSchema>;

export const RolesChangeRequestSchema = Type.Object(
  { roles: Type.Array(RoleSchema, { maxItems: 16, uniqueItems: true }) },
  { additionalProperties: false },
);
export type RolesChangeRequest = Static<typeof RolesChangeRequestSchema>;

export const RolesChangeResultSchema = Type.Object(
  {
    roles: Type.Array(Type.String(), { description: 'The account’s roles now.' }),
    pending: Type.Array(ElevationSchema, { description: 'Role grants that wait for a second admin (the `admin` role by default).' }),
  },
  { additionalProperties: false },
);
export type RolesChangeResult = Static<typeof RolesChangeResultSchema>;

export const ElevationRequestSchema = Type.Object(
  {
    role: RoleSchema,
    reason: Type.String({
      minLength: 10,
      maxLength: 500,
      description: 'Why the role is needed (shown to approvers; not copied to the audit log).',
    }),
    durationSeconds: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 3600, description: 'Default and upper bound: `access.elevation.maxSeconds`.' }),
    ),
  },
  { additionalProperties: false },
);
export type ElevationRequest = Static<typeof ElevationRequestSchema>;

export const ElevationIdParamsSchema = Type.Object({ elevationId: IdSchema }, { additionalProperties: false });
export type ElevationIdParams = Static<typeof ElevationIdParamsSchema>;
