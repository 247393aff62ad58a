/**
 * @module modules/passkeys/checks/check-last-factor
 *
 * Staff accounts must always hold a phishing-resistant factor (SPEC: "staff need passkey MFA";
 * ASVS V6.3.3 at L3). Passkeys are the only such factor today, so removing a staff account's
 * last usable (not suspended) passkey is refused. The staff role list moves to the access
 * module's role configuration once it exists.
 */
export const STAFF_ROLES: readonly string[] = ['admin', 'clinician', 'support', 'auditor'];

/** `roles` is the account's JSON array of role names; anything unreadable counts as staff (fail closed). */
export function isStaff(roles: string): boolean {
  try {
    const parsed = JSON.parse(roles) as unknown;
    if (!Array.isArray(parsed)) return true;
    return parsed.some((role) => typeof role !== 'string' || STAFF_ROLES.includes(role));
  } catch {
    return true;
  }
}

export function removesLastPhishingResistantFactor(account: { readonly roles: string; readonly usableRemaining: number }): boolean {
  return isStaff(account.roles) && account.usableRemaining === 0;
}
