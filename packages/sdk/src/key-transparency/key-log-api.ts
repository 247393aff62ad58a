/**
 * @module key-transparency/key-log-api
 *
 * The key-log routes (`messages:use`): the current signed checkpoint, an entry with its
 * inclusion proof, and consistency proofs. These calls only fetch; nothing they return is to be
 * trusted before the verifiers (or a {@link KeyLogMonitor}) have checked it.
 */
import type { KeyLogCheckpoint, KeyLogConsistencyProof, KeyLogEntry, KeyLogEntryWithProof } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { queryString } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import { isRecord } from '../http/read-json.ts';

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isString = (value: unknown): value is string => typeof value === 'string';
const isPath = (value: unknown): boolean => Array.isArray(value) && value.every(isString);

function isEntry(value: unknown): value is KeyLogEntry {
  if (!isRecord(value)) return false;
  const { index, op, accountId, deviceId, signatureKey, at } = value;
  return (
    isCount(index) &&
    (op === 'add' || op === 'remove') &&
    isString(accountId) &&
    isString(deviceId) &&
    isString(signatureKey) &&
    isCount(at)
  );
}

function parseCheckpoint(value: unknown): KeyLogCheckpoint | undefined {
  if (!isRecord(value)) return undefined;
  const { treeSize, rootHash, note, verifierKey } = value;
  return isCount(treeSize) && isString(rootHash) && isString(note) && isString(verifierKey) ? (value as KeyLogCheckpoint) : undefined;
}

function parseEntryWithProof(value: unknown): KeyLogEntryWithProof | undefined {
  if (!isRecord(value) || !isEntry(value['entry']) || !isRecord(value['inclusionProof'])) return undefined;
  const { leafIndex, treeSize, proof } = value['inclusionProof'];
  return isCount(leafIndex) && isCount(treeSize) && isPath(proof) ? (value as KeyLogEntryWithProof) : undefined;
}

function parseConsistency(value: unknown): KeyLogConsistencyProof | undefined {
  if (!isRecord(value)) return undefined;
  const { fromSize, toSize, proof } = value;
  return isCount(fromSize) && isCount(toSize) && isPath(proof) ? (value as KeyLogConsistencyProof) : undefined;
}

function whole(name: string, value: number): number {
  if (!isCount(value)) throw new TypeError(`${name} must be a whole number`);
  return value;
}

/** The signed checkpoint of the key log's current tree. Verify it with {@link verifyCheckpoint} or a monitor. */
export async function getKeyLogCheckpoint(client: CoreClient): Promise<KeyLogCheckpoint> {
  return engineOf(client).authorizedCall('GET', '/v1/key-log/checkpoint', undefined, parseCheckpoint);
}

/** Entry `index` with its RFC 9162 inclusion proof in the tree of `treeSize` entries (a checkpoint's size). */
export async function getKeyLogEntry(
  client: CoreClient,
  query: { readonly index: number; readonly treeSize: number },
): Promise<KeyLogEntryWithProof> {
  const index = whole('index', query.index);
  const path = `/v1/key-log/entries/${index}${queryString({ treeSize: whole('treeSize', query.treeSize) })}`;
  return engineOf(client).authorizedCall('GET', path, undefined, parseEntryWithProof);
}

/** RFC 9162 consistency proof from the tree of `fromSize` entries to the tree of `toSize` entries. */
export async function getKeyLogConsistency(
  client: CoreClient,
  query: { readonly fromSize: number; readonly toSize: number },
): Promise<KeyLogConsistencyProof> {
  const path = `/v1/key-log/consistency${queryString({ from: whole('fromSize', query.fromSize), to: whole('toSize', query.toSize) })}`;
  return engineOf(client).authorizedCall('GET', path, undefined, parseConsistency);
}
