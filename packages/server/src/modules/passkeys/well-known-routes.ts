/**
 * @module modules/passkeys/well-known-routes
 *
 * `/.well-known/apple-app-site-association` and `/.well-known/assetlinks.json`: public, JSON
 * (`application/json`, no redirect, which both platforms require), and registered only when the
 * corresponding apps are configured. They must be reachable at `https://<rpId>/…`; when the API
 * is not served at the RP id's host, the site at that host serves the same JSON.
 */
import { AppleAppSiteAssociationSchema, AssetLinksSchema } from '@portcullis/protocol';
import type { Config } from '../../config/schema.ts';
import { appleAppSiteAssociation, assetLinks } from './association-files.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

const PUBLIC_FILE = { auth: 'public', permission: 'none', audit: 'none', limit: 'none' } as const;

export function wellKnownRoutes(config: Config['passkeys']) {
  return async function routes(app: RouteApp): Promise<void> {
    const apple = appleAppSiteAssociation(config);
    if (apple) {
      app.get(
        '/.well-known/apple-app-site-association',
        {
          config: PUBLIC_FILE,
          schema: {
            summary: 'iOS associated domains: apps allowed to use passkeys of this relying party',
            tags: ['passkeys'],
            response: { 200: AppleAppSiteAssociationSchema },
          },
        },
        async (_request, reply) => reply.type('application/json').send(apple),
      );
    }
    const android = assetLinks(config);
    if (android) {
      app.get(
        '/.well-known/assetlinks.json',
        {
          config: PUBLIC_FILE,
          schema: {
            summary: 'Android Digital Asset Links: apps allowed to use passkeys of this relying party',
            tags: ['passkeys'],
            response: { 200: AssetLinksSchema },
          },
        },
        async (_request, reply) => reply.type('application/json').send(android),
      );
    }
  };
}
