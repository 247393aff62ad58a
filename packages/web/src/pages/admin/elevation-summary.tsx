/**
 * @module pages/admin/elevation-summary
 *
 * One elevation or role grant in words: which role, for how long, its state, and the reason
 * the requester gave (shown as text, never as markup).
 */
import type { JSX } from 'preact';
import type { Elevation } from '@portcullis/sdk';
import { timeText } from '../../ui/staff-controls.tsx';

const STATUS: Record<Elevation['status'], string> = {
  pending: 'Waiting for approval',
  active: 'In force',
  expired: 'Ran out',
  ended: 'Ended',
  denied: 'Denied',
  granted: 'Granted',
};

export function statusWords(elevation: Elevation): string {
  const words = STATUS[elevation.status];
  return elevation.status === 'active' && elevation.expiresAt ? `${words} until ${timeText(elevation.expiresAt)}` : words;
}

export function durationWords(elevation: Elevation): string {
  if (elevation.kind === 'grant' || elevation.durationSeconds === null) return 'for good (a role grant)';
  return `for ${Math.round(elevation.durationSeconds / 60)} minutes`;
}

export function ElevationSummary(props: { elevation: Elevation }): JSX.Element {
  const { elevation } = props;
  return (
    <div class="elevation">
      <p>
        <strong>Role {elevation.role}</strong> {durationWords(elevation)} · {statusWords(elevation)}
      </p>
      <p class="muted">Asked {timeText(elevation.requestedAt)}</p>
      <p class="reason">
        <span class="muted">Reason: </span>
        {elevation.reason}
      </p>
    </div>
  );
}
