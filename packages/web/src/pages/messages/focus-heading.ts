/**
 * @module pages/messages/focus-heading
 *
 * Moves keyboard and screen-reader focus to the heading of a part of the page that just opened
 * (a conversation, a safety number), so the person lands where the new content starts.
 */
import { useEffect } from 'preact/hooks';

export function useFocusHeading(headingId: string, when: unknown): void {
  useEffect(() => {
    const heading = document.getElementById(headingId);
    if (!heading) return;
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }, [headingId, when]);
}
