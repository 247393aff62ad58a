/**
 * @module pages/home
 *
 * Where each person lands after signing in: what their role is for, and the places they use.
 */
import type { JSX } from 'preact';
import { Link } from '../router.tsx';
import { linksFor } from '../navigation.ts';
import { rolesOf, useSession, type Role } from '../session.tsx';
import { Page } from '../ui/page.tsx';

const PURPOSE: Record<Role, string> = {
  patient: 'See your file, choose which clinicians can see it, and message your care team. Messages are end-to-end encrypted.',
  clinician: 'Read and add to the files of patients who gave you access, and message them.',
  support: 'Help people with their accounts. You see masked details only: no medical data, no messages.',
  admin: 'Manage accounts, roles and elevation requests, and watch the deployment’s security.',
  auditor: 'Search the tamper-evident audit log and check its proofs yourself.',
};

export function HomePage(): JSX.Element {
  const { current } = useSession();
  const roles = current ? rolesOf(current.account) : [];
  const places = linksFor(roles).filter((link) => link.href !== '/');
  return (
    <Page title="Home" lead={roles.map((role) => PURPOSE[role]).join(' ') || 'Your account has no role in the clinic yet.'}>
      <ul class="tiles">
        {places.map((link) => (
          <li key={link.href}>
            <Link href={link.href} class="tile">
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </Page>
  );
}
