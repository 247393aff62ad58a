/**
 * @module @portcullis/sdk/elevation
 *
 * Time-boxed elevation: asking for a role for a while, ending it, and approving or revoking
 * others' requests.
 *
 * @example
 *   import { requestElevation } from '@portcullis/sdk/elevation';
 *
 *   const elevation = await requestElevation(client, { role: 'support', reason: 'Ticket 4711: customer locked out' }, prompt);
 */
export {
  approveElevation,
  endElevation,
  listActiveElevations,
  listElevations,
  listPendingElevations,
  requestElevation,
  revokeElevation,
} from './elevation.ts';
