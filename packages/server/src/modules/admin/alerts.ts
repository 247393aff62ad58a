/**
 * @module modules/admin/alerts
 *
 * What an admin console shows as a banner: deployment-wide conditions an admin should know
 * about now. Today that is attack mode (modules/defense/attack-mode.ts). Reading it ends an
 * attack mode whose time is up, so a console polling this route also closes the episode.
 */
import type { AdminAlertList } from '@portcullis/protocol';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { AttackMode } from '../defense/index.ts';

const ATTACK_MODE_MESSAGE =
  'Failed password sign-ins are far above their usual rate: password sign-ins need a code sent to the account’s email address (except from a known device on a network it has used) until this ends by itself.';

export async function listAlerts(deps: { readonly attackMode: AttackMode }, context: RequestContext): Promise<AdminAlertList> {
  const status = await deps.attackMode.status(context);
  if (!status.active || status.since === undefined || status.until === undefined) return { alerts: [] };
  return {
    alerts: [
      {
        kind: 'attack_mode',
        since: new Date(status.since).toISOString(),
        until: new Date(status.until).toISOString(),
        message: ATTACK_MODE_MESSAGE,
        failureRatio: status.failureRatio,
        failures: status.failures,
        attempts: status.attempts,
        usualRatio: status.usualRatio,
        threshold: status.threshold,
      },
    ],
  };
}
