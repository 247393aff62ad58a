/**
 * @module routes
 *
 * Every view of the app and who may open it (the links to them are in navigation.ts). The
 * server enforces access on every API call; this table only keeps a person from meeting a screen
 * their role cannot use.
 */
import type { JSX } from 'preact';
import type { Role } from './session.tsx';
import { HomePage } from './pages/home.tsx';
import { SecurityPage } from './pages/security/security-page.tsx';
import { PrivacyPage } from './pages/privacy/privacy-page.tsx';
import { MyFilePage } from './pages/patient/my-file-page.tsx';
import { SharingPage } from './pages/patient/sharing-page.tsx';
import { PatientsPage } from './pages/clinician/patients-page.tsx';
import { PatientFilePage } from './pages/clinician/patient-file-page.tsx';
import { SupportPage } from './pages/support/support-page.tsx';
import { AdminAccountsPage } from './pages/admin/accounts-page.tsx';
import { AdminElevationsPage } from './pages/admin/elevations-page.tsx';
import { AdminOverviewPage } from './pages/admin/overview-page.tsx';
import { AuditPage } from './pages/audit/audit-page.tsx';
import { MessagesPage } from './pages/messages/lazy-messages-page.tsx';

export interface AppRoute {
  /** Matched against the whole path; named groups become the view's `params`. */
  readonly path: RegExp;
  /** Who may open it; `everyone` for any signed-in person. */
  readonly roles: readonly Role[] | 'everyone';
  readonly view: (props: { params: Record<string, string> }) => JSX.Element;
}

export const ROUTES: readonly AppRoute[] = [
  { path: /^\/$/, roles: 'everyone', view: HomePage },
  { path: /^\/my-file$/, roles: ['patient'], view: MyFilePage },
  { path: /^\/sharing$/, roles: ['patient'], view: SharingPage },
  { path: /^\/patients$/, roles: ['clinician'], view: PatientsPage },
  { path: /^\/patients\/(?<patientId>[A-Za-z0-9_-]{1,64})$/, roles: ['clinician'], view: PatientFilePage },
  { path: /^\/messages$/, roles: ['patient', 'clinician'], view: MessagesPage },
  { path: /^\/support$/, roles: ['support'], view: SupportPage },
  { path: /^\/admin\/accounts$/, roles: ['admin'], view: AdminAccountsPage },
  { path: /^\/admin\/elevations$/, roles: ['admin'], view: AdminElevationsPage },
  { path: /^\/admin\/overview$/, roles: ['admin'], view: AdminOverviewPage },
  { path: /^\/audit$/, roles: ['auditor'], view: AuditPage },
  { path: /^\/security$/, roles: 'everyone', view: SecurityPage },
  { path: /^\/privacy$/, roles: 'everyone', view: PrivacyPage },
];

export function routeFor(path: string): { route: AppRoute; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const match = route.path.exec(path);
    if (match) return { route, params: { ...(match.groups ?? {}) } };
  }
  return undefined;
}

export function visibleTo(route: { readonly roles: AppRoute['roles'] }, roles: readonly Role[]): boolean {
  return route.roles === 'everyone' || route.roles.some((role) => roles.includes(role));
}
