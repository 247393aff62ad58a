/**
 * @module modules/passkeys/association-files
 *
 * The two files that let native apps use this relying party's passkeys, built from
 * configuration. Apple: `webcredentials.apps` in the apple-app-site-association file (the app
 * declares `webcredentials:<rpId>`). Android: a Digital Asset Links statement per app granting
 * `get_login_creds` (credential sharing) and `handle_all_urls`, naming the package and its
 * signing-certificate fingerprints. Each is served only when configured.
 */
import type { AppleAppSiteAssociation, AssetLinks } from '@portcullis/protocol';
import type { Config } from '../../config/schema.ts';

/** Relations Credential Manager checks for passkeys (developer.android.com "Add support for Digital Asset Links"). */
const ASSET_LINK_RELATIONS: readonly string[] = [
  'delegate_permission/common.handle_all_urls',
  'delegate_permission/common.get_login_creds',
];

export function appleAppSiteAssociation(config: Config['passkeys']): AppleAppSiteAssociation | undefined {
  if (config.ios.appIds.length === 0) return undefined;
  return { webcredentials: { apps: [...config.ios.appIds] } };
}

export function assetLinks(config: Config['passkeys']): AssetLinks | undefined {
  if (config.android.apps.length === 0) return undefined;
  return config.android.apps.map((app) => ({
    relation: [...ASSET_LINK_RELATIONS],
    target: { namespace: 'android_app' as const, package_name: app.packageName, sha256_cert_fingerprints: [...app.sha256CertFingerprints] },
  }));
}
