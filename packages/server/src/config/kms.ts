/**
 * @module config/kms
 *
 * Guards of the `keyService` settings. The `local` adapter protects a copy of the database and
 * the data directory only when its key file lives somewhere else, so production refuses a key
 * file inside `dataDir` (and the development default, which is there). The `pkcs11` adapter needs
 * its library, its token and exactly one way to get the PIN.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './schema.ts';

/** `file`'s absolute path with symbolic links of its existing ancestors resolved. */
function resolveThroughLinks(file: string): string {
  const absolute = path.resolve(file);
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...missing.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      missing.push(path.basename(existing));
      existing = parent;
    }
  }
}

/** Whether `file` is `dir` or lies anywhere below it (symbolic links followed). */
export function isInsideDirectory(file: string, dir: string): boolean {
  const relative = path.relative(resolveThroughLinks(dir), resolveThroughLinks(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export function checkKeyServiceGuards(
  config: Pick<Config, 'environment' | 'dataDir' | 'keyService'>,
  report: { readonly errors: string[]; readonly warnings: string[]; readonly insecure: (message: string) => void },
): void {
  const { keyService } = config;
  if (keyService.adapter === 'local') {
    const { keyFile } = keyService.local;
    if (!keyFile) {
      report.insecure(
        'keyService.local.keyFile: unset, so a development key file is generated under dataDir (a copy of the data directory then opens every person\'s data); production needs a key file outside dataDir, or keyService.adapter "pkcs11"',
      );
    } else if (isInsideDirectory(keyFile, config.dataDir)) {
      report.insecure(
        `keyService.local.keyFile: "${keyFile}" is inside dataDir (${config.dataDir}); keep the key file on another volume or a secrets mount, so a copy of the data directory does not carry the keys that open it`,
      );
    }
    return;
  }
  const { library, tokenLabel, pin, pinFile } = keyService.pkcs11;
  if (!library) report.errors.push('keyService.pkcs11.library: required when keyService.adapter is "pkcs11"');
  if (!tokenLabel) report.errors.push('keyService.pkcs11.tokenLabel: required when keyService.adapter is "pkcs11"');
  if (!pin && !pinFile) report.errors.push('keyService.pkcs11: pinFile (or pin) is required when keyService.adapter is "pkcs11"');
  if (pin && pinFile) report.errors.push('keyService.pkcs11: set pinFile or pin, not both');
  if (pin && config.environment === 'production') {
    report.warnings.push('keyService.pkcs11.pin: prefer pinFile, so the PIN is not part of the configuration');
  }
}
