/**
 * A slice of the IETF MLS working group's test vectors (cipher suite 1 only; see
 * `testdata/README.md` for the source) run through the pinned `ts-mls`, so that an upgrade that
 * changes the key schedule, Welcome processing or message protection fails here before it
 * reaches a device. These reach into the library's modules below its public index on purpose:
 * the vectors test the primitives, and a renamed or re-shaped primitive should fail loudly too.
 */
import { readFileSync } from 'node:fs';
import { decodeMlsMessage, mlsExporter, type CiphersuiteImpl, type GroupContext, type KeySchedule, type RatchetTree } from 'ts-mls';
import { encodeCommit } from 'ts-mls/commit.js';
import { encodeGroupContext } from 'ts-mls/groupContext.js';
import { verifyGroupInfoConfirmationTag, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import { initializeEpoch } from 'ts-mls/keySchedule.js';
import { protectApplicationData, unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { unprotectPublicMessage } from 'ts-mls/messageProtectionPublic.js';
import { defaultPaddingConfig } from 'ts-mls/paddingConfig.js';
import { encodeProposal } from 'ts-mls/proposal.js';
import { createSecretTree } from 'ts-mls/secretTree.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMlsCipherSuite, MLS_CIPHER_SUITE } from './mls-cipher-suite.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const load = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as T[];

interface KeyScheduleVector {
  cipher_suite: number;
  group_id: string;
  initial_init_secret: string;
  epochs: {
    commit_secret: string;
    confirmation_key: string;
    confirmed_transcript_hash: string;
    encryption_secret: string;
    epoch_authenticator: string;
    exporter: { context: string; label: string; length: number; secret: string };
    exporter_secret: string;
    external_pub: string;
    external_secret: string;
    group_context: string;
    init_secret: string;
    joiner_secret: string;
    membership_key: string;
    psk_secret: string;
    resumption_psk: string;
    sender_data_secret: string;
    tree_hash: string;
    welcome_secret: string;
  }[];
}

interface WelcomeVector {
  cipher_suite: number;
  init_priv: string;
  key_package: string;
  signer_pub: string;
  welcome: string;
}

interface MessageProtectionVector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_priv: string;
  proposal_pub: string;
  commit: string;
  commit_priv: string;
  commit_pub: string;
  application: string;
  application_priv: string;
}

let cs: CiphersuiteImpl;

beforeAll(async () => {
  cs = await createMlsCipherSuite();
});

function context(groupId: string, epoch: bigint, treeHash: string, confirmedTranscriptHash: string): GroupContext {
  return {
    version: 'mls10',
    cipherSuite: MLS_CIPHER_SUITE,
    groupId: hex(groupId),
    epoch,
    treeHash: hex(treeHash),
    confirmedTranscriptHash: hex(confirmedTranscriptHash),
    extensions: [],
  };
}

describe('MLS test vectors: key-schedule (cipher suite 1)', () => {
  const vectors = load<KeyScheduleVector>('key-schedule.json');

  it('holds only cipher suite 1 and at least one epoch chain', () => {
    expect(vectors.map((vector) => vector.cipher_suite)).toEqual([1]);
    expect(vectors[0]?.epochs.length).toBeGreaterThanOrEqual(2);
  });

  it.each(vectors.map((vector, index) => [index, vector] as const))(
    'derives every secret of every epoch of vector %i',
    async (_index, vector) => {
      let initSecret = hex(vector.initial_init_secret);
      for (const [index, epoch] of vector.epochs.entries()) {
        const gc = context(vector.group_id, BigInt(index), epoch.tree_hash, epoch.confirmed_transcript_hash);
        expect(encodeGroupContext(gc)).toEqual(hex(epoch.group_context));
        const secrets = await initializeEpoch(initSecret, hex(epoch.commit_secret), gc, hex(epoch.psk_secret), cs.kdf);
        const expected: Record<keyof KeySchedule, string> = {
          initSecret: epoch.init_secret,
          senderDataSecret: epoch.sender_data_secret,
          exporterSecret: epoch.exporter_secret,
          externalSecret: epoch.external_secret,
          confirmationKey: epoch.confirmation_key,
          membershipKey: epoch.membership_key,
          resumptionPsk: epoch.resumption_psk,
          epochAuthenticator: epoch.epoch_authenticator,
        };
        for (const [name, value] of Object.entries(expected))
          expect(secrets.keySchedule[name as keyof KeySchedule], name).toEqual(hex(value));
        expect(secrets.joinerSecret).toEqual(hex(epoch.joiner_secret));
        expect(secrets.welcomeSecret).toEqual(hex(epoch.welcome_secret));
        expect(secrets.encryptionSecret).toEqual(hex(epoch.encryption_secret));
        const { publicKey } = await cs.hpke.deriveKeyPair(hex(epoch.external_secret));
        expect(await cs.hpke.exportPublicKey(publicKey)).toEqual(hex(epoch.external_pub));
        const exported = await mlsExporter(
          secrets.keySchedule.exporterSecret,
          epoch.exporter.label,
          hex(epoch.exporter.context),
          epoch.exporter.length,
          cs,
        );
        expect(exported).toEqual(hex(epoch.exporter.secret));
        initSecret = secrets.keySchedule.initSecret;
      }
    },
  );
});

describe('MLS test vectors: welcome (cipher suite 1)', () => {
  const vectors = load<WelcomeVector>('welcome.json');

  it.each(vectors.map((vector, index) => [index, vector] as const))(
    'opens the Welcome of vector %i with its KeyPackage and checks the GroupInfo',
    async (_index, vector) => {
      expect(vector.cipher_suite).toBe(1);
      const welcome = decodeMlsMessage(hex(vector.welcome), 0)?.[0];
      const keyPackage = decodeMlsMessage(hex(vector.key_package), 0)?.[0];
      if (welcome?.wireformat !== 'mls_welcome' || keyPackage?.wireformat !== 'mls_key_package')
        throw new Error('the vector does not decode');
      const ref = await makeKeyPackageRef(keyPackage.keyPackage, cs.hash);
      expect(welcome.welcome.secrets.some((secret) => Buffer.from(secret.newMember).equals(Buffer.from(ref)))).toBe(true);
      const groupSecrets = await decryptGroupSecrets(await cs.hpke.importPrivateKey(hex(vector.init_priv)), ref, welcome.welcome, cs.hpke);
      if (groupSecrets === undefined) throw new Error('the group secrets do not decrypt');
      const pskSecret = new Uint8Array(cs.kdf.size);
      const groupInfo = await decryptGroupInfo(welcome.welcome, groupSecrets.joinerSecret, pskSecret, cs);
      if (groupInfo === undefined) throw new Error('the GroupInfo does not decrypt');
      expect(await verifyGroupInfoConfirmationTag(groupInfo, groupSecrets.joinerSecret, pskSecret, cs)).toBe(true);
      expect(await verifyGroupInfoSignature(groupInfo, hex(vector.signer_pub), cs.signature)).toBe(true);
      const otherKey = hex(vector.signer_pub);
      otherKey[0] = (otherKey[0] ?? 0) ^ 1;
      expect(await verifyGroupInfoSignature(groupInfo, otherKey, cs.signature)).toBe(false);
    },
  );
});

describe('MLS test vectors: message-protection (cipher suite 1)', () => {
  const vectors = load<MessageProtectionVector>('message-protection.json');
  // The sender is leaf 1; unprotecting checks only that its leaf is not blank (the key is given).
  const tree = [undefined, undefined, { nodeType: 'leaf', leaf: {} }] as unknown as RatchetTree;

  const privateMessage = (encoded: string) => {
    const message = decodeMlsMessage(hex(encoded), 0)?.[0];
    if (message?.wireformat !== 'mls_private_message') throw new Error('not a PrivateMessage');
    return message.privateMessage;
  };
  const publicMessage = (encoded: string) => {
    const message = decodeMlsMessage(hex(encoded), 0)?.[0];
    if (message?.wireformat !== 'mls_public_message') throw new Error('not a PublicMessage');
    return message.publicMessage;
  };

  it.each(vectors.map((vector, index) => [index, vector] as const))(
    'unprotects the application, proposal and commit of vector %i, private and public',
    async (_index, vector) => {
      expect(vector.cipher_suite).toBe(1);
      const gc = context(vector.group_id, BigInt(vector.epoch), vector.tree_hash, vector.confirmed_transcript_hash);
      const unprotect = async (encoded: string) =>
        unprotectPrivateMessage(
          hex(vector.sender_data_secret),
          privateMessage(encoded),
          await createSecretTree(2, hex(vector.encryption_secret), cs.kdf),
          tree,
          gc,
          defaultKeyRetentionConfig,
          cs,
          hex(vector.signature_pub),
        );

      const application = (await unprotect(vector.application_priv)).content.content;
      if (application.contentType !== 'application') throw new Error('not application content');
      expect(application.applicationData).toEqual(hex(vector.application));

      const proposal = (await unprotect(vector.proposal_priv)).content.content;
      if (proposal.contentType !== 'proposal') throw new Error('not a proposal');
      expect(encodeProposal(proposal.proposal)).toEqual(hex(vector.proposal));

      const commit = (await unprotect(vector.commit_priv)).content.content;
      if (commit.contentType !== 'commit') throw new Error('not a commit');
      expect(encodeCommit(commit.commit)).toEqual(hex(vector.commit));

      const publicProposal = await unprotectPublicMessage(
        hex(vector.membership_key),
        gc,
        [],
        publicMessage(vector.proposal_pub),
        cs,
        hex(vector.signature_pub),
      );
      if (publicProposal.content.contentType !== 'proposal') throw new Error('not a proposal');
      expect(encodeProposal(publicProposal.content.proposal)).toEqual(hex(vector.proposal));

      const publicCommit = await unprotectPublicMessage(
        hex(vector.membership_key),
        gc,
        [],
        publicMessage(vector.commit_pub),
        cs,
        hex(vector.signature_pub),
      );
      if (publicCommit.content.contentType !== 'commit') throw new Error('not a commit');
      expect(encodeCommit(publicCommit.content.commit)).toEqual(hex(vector.commit));
    },
  );

  it.each(vectors.map((vector, index) => [index, vector] as const))(
    'protects and unprotects application data with the keys of vector %i, and refuses it once its key is used',
    async (_index, vector) => {
      const gc = context(vector.group_id, BigInt(vector.epoch), vector.tree_hash, vector.confirmed_transcript_hash);
      const secretTree = await createSecretTree(2, hex(vector.encryption_secret), cs.kdf);
      const sealed = await protectApplicationData(
        hex(vector.signature_priv),
        hex(vector.sender_data_secret),
        hex(vector.application),
        new Uint8Array(),
        gc,
        secretTree,
        1,
        defaultPaddingConfig,
        cs,
      );
      const receiverTree = await createSecretTree(2, hex(vector.encryption_secret), cs.kdf);
      const opened = await unprotectPrivateMessage(
        hex(vector.sender_data_secret),
        sealed.privateMessage,
        receiverTree,
        tree,
        gc,
        defaultKeyRetentionConfig,
        cs,
        hex(vector.signature_pub),
      );
      if (opened.content.content.contentType !== 'application') throw new Error('not application content');
      expect(opened.content.content.applicationData).toEqual(hex(vector.application));
      // The same ciphertext against the advanced secret tree: its generation's key is gone.
      await expect(
        unprotectPrivateMessage(
          hex(vector.sender_data_secret),
          sealed.privateMessage,
          opened.tree,
          tree,
          gc,
          defaultKeyRetentionConfig,
          cs,
          hex(vector.signature_pub),
        ),
      ).rejects.toThrow();
    },
  );
});
