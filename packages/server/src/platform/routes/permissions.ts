/**
 * @module platform/routes/permissions
 *
 * Roles → permissions, from `access.roles`, resolved once at start-up. An account holds the
 * union of its roles' permissions; a role the configuration does not list holds none (deny by
 * default). The session authenticator asks `permissionsOf(roles)` for every request, so the sets
 * are cached per role combination — no query and no allocation per request. `enforcePermissionCatalogue`
 * refuses, at start-up, a route whose declared permission no role can hold: a typo in a route
 * (or a role table that forgot a permission) must fail loudly, not make the route silently
 * unreachable — or reachable through some other permission with a similar name.
 */
import type { FastifyInstance } from 'fastify';
import { RouteContractError, type RouteSecurity } from './contract.ts';

export interface RolePermissions {
  /** The union of the permissions of `roles`; unknown roles contribute nothing. */
  permissionsOf(roles: readonly string[]): ReadonlySet<string>;
  /** Every permission some role holds: the only permissions a route may declare. */
  readonly grantable: ReadonlySet<string>;
  /** The roles that hold `permission`. */
  rolesHolding(permission: string): readonly string[];
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * @example
 * const access = createRolePermissions({ patient: ['records:read_own'] });
 * access.permissionsOf(['patient']).has('records:read_own'); // true
 * access.permissionsOf(['toString']).size; // 0
 */
export function createRolePermissions(roles: Readonly<Record<string, readonly string[]>>): RolePermissions {
  // A Map, not the config object: a role named `constructor` or `__proto__` must not find Object.prototype.
  const byRole = new Map<string, ReadonlySet<string>>(Object.entries(roles).map(([role, permissions]) => [role, new Set(permissions)]));
  const grantable = new Set([...byRole.values()].flatMap((set) => [...set]));
  const combinations = new Map<string, ReadonlySet<string>>();
  return {
    grantable,
    permissionsOf(accountRoles) {
      if (accountRoles.length === 0) return EMPTY;
      if (accountRoles.length === 1) return byRole.get(accountRoles[0] ?? '') ?? EMPTY;
      const key = [...accountRoles].sort().join('\u0000');
      let union = combinations.get(key);
      if (!union) {
        union = new Set(accountRoles.flatMap((role) => [...(byRole.get(role) ?? EMPTY)]));
        // Role combinations come from the accounts table, so the cache is bounded by what admins assign;
        // the cap keeps a pathological table from growing it without limit.
        if (combinations.size < 1024) combinations.set(key, union);
      }
      return union;
    },
    rolesHolding(permission) {
      return [...byRole.entries()].filter(([, set]) => set.has(permission)).map(([role]) => role);
    },
  };
}

/**
 * Installs the start-up check. Like `enforceRouteContract`, it must run before any route is
 * registered; a route whose permission no role holds makes `app.ready()` fail naming the route.
 */
export function enforcePermissionCatalogue(app: FastifyInstance, access: RolePermissions): void {
  app.addHook('onRoute', (route) => {
    const permission = (route.config as Partial<RouteSecurity>).permission;
    if (permission === undefined || permission === 'none' || access.grantable.has(permission)) return;
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    throw new RouteContractError(
      `Route ${methods} ${route.url} declares permission "${permission}", which no role in access.roles holds (a typo, or a role table without it)`,
    );
  });
}
