/**
 * @module platform/signed-note/checkpoint
 *
 * The body of a C2SP transparency-log checkpoint (https://c2sp.org/tlog-checkpoint): three
 * lines, `<origin>\n<tree size>\n<base64 root hash>\n`. The origin names the log, the size is
 * decimal without leading zeros, and the root is MTH of the first `size` entries. This log
 * writes no extension lines (the spec discourages them); a parser accepts and ignores them.
 */
import { HASH_BYTES } from '../merkle/hash.ts';

export interface CheckpointBody {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

export function formatCheckpoint(body: CheckpointBody): string {
  if (body.origin.length === 0 || /[\n\s+]/u.test(body.origin))
    throw new TypeError('a checkpoint origin is one line without spaces or "+"');
  if (!Number.isSafeInteger(body.size) || body.size < 0) throw new TypeError('a checkpoint size is a whole number');
  if (body.root.length !== HASH_BYTES) throw new TypeError('a checkpoint root is a SHA-256 hash');
  return `${body.origin}\n${body.size}\n${body.root.toString('base64')}\n`;
}

export function parseCheckpoint(text: string): CheckpointBody {
  const lines = text.split('\n');
  // A body ends with a newline, so the last element after splitting is empty.
  if (lines.length < 4 || lines.pop() !== '' || lines.some((line) => line === '')) {
    throw new CheckpointFormatError('a checkpoint has at least three non-empty lines, each ending in a newline');
  }
  const [origin, size, root] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new CheckpointFormatError('the checkpoint tree size is not a decimal number without leading zeros');
  }
  const rootBytes = Buffer.from(root, 'base64');
  if (rootBytes.length !== HASH_BYTES || rootBytes.toString('base64') !== root) {
    throw new CheckpointFormatError('the checkpoint root is not a base64 SHA-256 hash');
  }
  return { origin, size: Number(size), root: rootBytes };
}
