/**
 * @module platform/routes/principal
 *
 * Who is calling: the result of authentication, attached to the request for handlers.
 */
import type { AssuranceLevel } from './contract.ts';

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
   * True for a session whose account lacks the second factor its role requires: it reaches only
   * routes declared `enrolment: true` (enrolling that factor, reading the own account, signing out).
   */
  readonly restricted?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook for every non-public route; `null` on public routes. */
    principal: Principal | null;
  }
}
