/**
 * @module modules/accounts/password/phc
 *
 * Reads the parameters out of a stored Argon2 PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, see
 * https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md) so the hasher can tell
 * whether a password was hashed with weaker settings than today's and must be rehashed. It only
 * parses; it never computes or compares hashes.
 */

export type Argon2Variant = 'argon2id' | 'argon2i' | 'argon2d';

export interface Argon2Parameters {
  readonly variant: Argon2Variant;
  /** Argon2 version number: 19 (0x13) for current encoders, 16 (0x10) when `v=` is absent. */
  readonly version: number;
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

// `$variant$[v=N$]m=M,t=T,p=P[,keyid=..,data=..]$salt$hash`, base64 without padding (B64 in the spec).
const PHC_PATTERN =
  /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d{1,3})\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})(?:,[a-z]+=[A-Za-z0-9+/]*)*\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/**
 * The parameters of an Argon2 PHC string, or `undefined` when it is not one.
 *
 * @example
 * parseArgon2PHC('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')
 * // { variant: 'argon2id', version: 19, memoryKiB: 19456, iterations: 2, parallelism: 1 }
 */
export function parseArgon2PHC(phc: string): Argon2Parameters | undefined {
  const match = PHC_PATTERN.exec(phc);
  if (!match) return undefined;
  const [, variant, version, memory, iterations, parallelism] = match;
  return {
    variant: variant as Argon2Variant,
    version: version === undefined ? 16 : Number(version),
    memoryKiB: Number(memory),
    iterations: Number(iterations),
    parallelism: Number(parallelism),
  };
}
