/**
 * @module elevation/elevation
 *
 * Time-boxed elevation: a staff member asks for a role for at most an hour, with a reason, and
 * may end it early; when the policy wants a second person, an approver approves or revokes it.
 * Asking for and approving an elevation need a step-up (`prompt`).
 */
import type { Elevation, ElevationList, ElevationRequest } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertInput, assertUuid } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import type { StepUpPrompt } from '../step-up/is-step-up-required.ts';
import { callWithStepUp } from '../step-up/step-up.ts';
import { parseElevation, parseElevationList } from './elevation-shapes.ts';

/**
 * Asks for a role for a while (`durationSeconds`, 60–3600), with a reason shown to approvers.
 * The answer is `active` at once, or `pending` until someone approves.
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 * @example
 *   const elevation = await requestElevation(client, { role: 'support', reason: 'Ticket 4711: locked out customer', durationSeconds: 900 }, prompt);
 */
export async function requestElevation(client: CoreClient, input: ElevationRequest, prompt: StepUpPrompt): Promise<Elevation> {
  assertInput(input, 'requestElevation');
  return callWithStepUp(client, { method: 'POST', path: '/v1/elevations', body: input }, prompt, parseElevation);
}

/** The signed-in account's elevations. */
export async function listElevations(client: CoreClient): Promise<ElevationList> {
  return engineOf(client).authorizedCall('GET', '/v1/elevations', undefined, parseElevationList);
}

/** Ends one of the signed-in account's elevations before it runs out. */
export async function endElevation(client: CoreClient, elevationId: string): Promise<Elevation> {
  assertUuid(elevationId, 'endElevation expects an elevation id');
  return engineOf(client).authorizedCall('DELETE', `/v1/elevations/${elevationId}`, undefined, parseElevation);
}

/** Elevation requests and role grants waiting for approval (approvers). */
export async function listPendingElevations(client: CoreClient): Promise<ElevationList> {
  return engineOf(client).authorizedCall('GET', '/v1/admin/elevations', undefined, parseElevationList);
}

/** Elevations in force across the deployment, the soonest to run out first (approvers; end one with {@link revokeElevation}). */
export async function listActiveElevations(client: CoreClient): Promise<ElevationList> {
  return engineOf(client).authorizedCall('GET', '/v1/admin/elevations/active', undefined, parseElevationList);
}

/**
 * Approves someone else's elevation request or role grant (never one's own).
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 */
export async function approveElevation(client: CoreClient, elevationId: string, prompt: StepUpPrompt): Promise<Elevation> {
  assertUuid(elevationId, 'approveElevation expects an elevation id');
  return callWithStepUp(client, { method: 'POST', path: `/v1/admin/elevations/${elevationId}/approve` }, prompt, parseElevation);
}

/** Refuses a pending request, or ends someone's active elevation (approvers). */
export async function revokeElevation(client: CoreClient, elevationId: string): Promise<Elevation> {
  assertUuid(elevationId, 'revokeElevation expects an elevation id');
  return engineOf(client).authorizedCall('POST', `/v1/admin/elevations/${elevationId}/revoke`, undefined, parseElevation);
}
