/**
 * @module modules/introspection
 *
 * Token introspection (RFC 7662) for the app team's own services, and the client authenticator
 * the platform uses for every `client` route. The route exists only when at least one client is
 * configured (`introspection.clients`): with none, there is nothing anyone could call it with.
 */
import type { Config } from '../../config/schema.ts';

export { introspectionRoutes } from './routes.ts';
export { createClientAuthenticator } from './client-credentials.ts';

/** Whether `POST /v1/oauth/introspect` is served: only when some service may call it. */
export function introspectionEnabled(config: Pick<Config, 'introspection'>): boolean {
  return config.introspection.clients.length > 0;
}
