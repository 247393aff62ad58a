/**
 * @module audit
 *
 * Wire schemas of the auditor API: a filtered, paginated listing of the tamper-evident audit
 * log, its latest signed checkpoint, and RFC 9162 inclusion and consistency proofs. Entries hold
 * identifiers and short codes only (never personal data), each with the canonical JSON that was
 * hashed, so a client can recompute a leaf hash and check it against a proof and a checkpoint.
 * Numbers in query strings are decimal digit strings (query strings carry text).
 */
import Type, { type Static } from 'typebox';

const CountText = (description: string) => Type.String({ pattern: '^[0-9]{1,15}$', description });
const IdText = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });

export const AuditEntryQuerySchema = Type.Object(
  {
    actorId: Type.Optional(IdText('Only entries whose actor is this account or service id.')),
    subjectId: Type.Optional(IdText('Only entries about this account id.')),
    action: Type.Optional(
      Type.String({ pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$', maxLength: 64, description: 'Only this action (`domain.verb_past`).' }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Only entries at or after this time.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Only entries before this time.' })),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]{0,2})$', description: 'Page size, 1–500 (default 50).' })),
    before: Type.Optional(CountText('`nextBefore` of the previous page: only entries with a smaller index.')),
  },
  { additionalProperties: false },
);
export type AuditEntryQuery = Static<typeof AuditEntryQuerySchema>;

export const AuditEntrySchema = Type.Object(
  {
    index: Type.Integer({ minimum: 0, description: 'Position in the log (the Merkle leaf index).' }),
    action: Type.String(),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
    actor: Type.Union([Type.String(), Type.Null()]),
    subject: Type.Union([Type.String(), Type.Null()]),
    session: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    ipPrefix: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    time: Type.String({ format: 'date-time' }),
    canonical: Type.String({ description: 'The canonical JSON that was hashed: SHA-256(0x00 ‖ canonical) is the leaf hash.' }),
  },
  { additionalProperties: false },
);
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const AuditEntryListSchema = Type.Object(
  {
    entries: Type.Array(AuditEntrySchema, { description: 'Newest first.' }),
    nextBefore: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'Pass as `before` for the next page; null on the last.',
    }),
  },
  { additionalProperties: false },
);
export type AuditEntryList = Static<typeof AuditEntryListSchema>;

export const AuditCheckpointSchema = Type.Object(
  {
    treeSize: Type.Integer({ minimum: 0 }),
    rootHash: Type.String({ description: 'Base64 SHA-256 root of the tree of `treeSize` entries.' }),
    note: Type.String({ description: 'The C2SP signed note (tlog-checkpoint).' }),
    verifierKey: Type.String({ description: 'The note verifier key (`<origin>+<key id>+<base64 key>`).' }),
  },
  { additionalProperties: false },
);
export type AuditCheckpoint = Static<typeof AuditCheckpointSchema>;

export const AuditLatestCheckpointSchema = Type.Object(
  { checkpoint: Type.Union([AuditCheckpointSchema, Type.Null()], { description: 'Null while the log is empty.' }) },
  { additionalProperties: false },
);
export type AuditLatestCheckpoint = Static<typeof AuditLatestCheckpointSchema>;

export const AuditInclusionQuerySchema = Type.Object(
  { entryIndex: CountText('Index of the entry.'), treeSize: CountText('Size of the tree (from a signed checkpoint).') },
  { additionalProperties: false },
);
export type AuditInclusionQuery = Static<typeof AuditInclusionQuerySchema>;

export const AuditInclusionProofSchema = Type.Object(
  {
    entryIndex: Type.Integer({ minimum: 0 }),
    treeSize: Type.Integer({ minimum: 1 }),
    leafHash: Type.String(),
    rootHash: Type.String(),
    proof: Type.Immutable(Type.Array(Type.String(), { description: 'RFC 9162 §2.1.3.1 audit path, bottom-up, base64.' })),
  },
  { additionalProperties: false },
);
export type AuditInclusionProof = Static<typeof AuditInclusionProofSchema>;

export const AuditConsistencyQuerySchema = Type.Object(
  { fromSize: CountText('Size of the older tree (a checkpoint).'), toSize: CountText('Size of the newer tree (a checkpoint).') },
  { additionalProperties: false },
);
export type AuditConsistencyQuery = Static<typeof AuditConsistencyQuerySchema>;

export const AuditConsistencyProofSchema = Type.Object(
  {
    fromSize: Type.Integer({ minimum: 1 }),
    toSize: Type.Integer({ minimum: 1 }),
    fromRoot: Type.String(),
    toRoot: Type.String(),
    proof: Type.Immutable(Type.Array(Type.String(), { description: 'RFC 9162 §2.1.4.1 consistency path, base64.' })),
  },
  { additionalProperties: false },
);
export type AuditConsistencyProof = Static<typeof AuditConsistencyProofSchema>;
