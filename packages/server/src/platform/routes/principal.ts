/**
 * @module platform/routes/principal
 *
 * Who is calling: the result of authentication, attached to the request for handlers.
 */
import type { AssuranceLevel, EnrolmentFactor } from './contract.ts';

export interface Principal {
  readonly accountId: string;
  readonly sessionId: string;
  /** Assurance level of the session (see contract.ts). */
  readonly aal: AssuranceLevel;
  /** Authentication methods used (RFC 8176 values such as `pwd`, `otp`, `hwk`). */
  readonly amr: readonly string[];
  /**
   * When the session's person last authenticated (epoch ms; OIDC `auth_time`). Step-up treats a
   * session without one as never fresh.
   */
  readonly authTime?: number;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<string>;
  /**
   * Set for a session that may only enrol these factors (an account that lacks the second factor
   * its role requires, or a passkey-first sign-up): it reaches only the routes whose `enrolment`
   * is `any` or one of these factors. Absent for a full session.
   */
  readonly restrictedTo?: readonly EnrolmentFactor[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook for every non-public route; `null` on public routes. */
    principal: Principal | null;
  }
}
