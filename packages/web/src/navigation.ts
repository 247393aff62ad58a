/**
 * @module navigation
 *
 * The links of the main navigation, in order, and the roles each is for. Data only: the views
 * behind them are in routes.tsx.
 */
import type { Role } from './session.tsx';

export interface NavigationLink {
  readonly label: string;
  readonly href: string;
  readonly roles: readonly Role[] | 'everyone';
}

export const NAVIGATION: readonly NavigationLink[] = [
  { label: 'Home', href: '/', roles: 'everyone' },
  { label: 'My file', href: '/my-file', roles: ['patient'] },
  { label: 'Who can see my file', href: '/sharing', roles: ['patient'] },
  { label: 'My patients', href: '/patients', roles: ['clinician'] },
  { label: 'Messages', href: '/messages', roles: ['patient', 'clinician'] },
  { label: 'Account help', href: '/support', roles: ['support'] },
  { label: 'Accounts', href: '/admin/accounts', roles: ['admin'] },
  { label: 'Elevations', href: '/admin/elevations', roles: ['admin'] },
  { label: 'Security overview', href: '/admin/overview', roles: ['admin'] },
  { label: 'Audit log', href: '/audit', roles: ['auditor'] },
  { label: 'Security', href: '/security', roles: 'everyone' },
  { label: 'Privacy', href: '/privacy', roles: 'everyone' },
];

/** The links a person holding `roles` sees. */
export function linksFor(roles: readonly Role[]): NavigationLink[] {
  return NAVIGATION.filter((link) => link.roles === 'everyone' || link.roles.some((role) => roles.includes(role)));
}
