/**
 * @module platform/errors/input-pointer
 *
 * The JSON pointers `REQUEST_INVALID` quotes back (`/body/email`). Segments come from the
 * client's own data (object keys), so a segment is kept only while it is plain — letters,
 * digits, `_.-`, at most 64 characters — and the pointer stops at its parent otherwise: a
 * refusal never carries markup, control characters or long strings from the input back to the
 * client (ASVS V1.2.1).
 */

const PLAIN_SEGMENT = /^[A-Za-z0-9_.-]{1,64}$/;

/** `/location/seg1/seg2…`, cut before the first segment that is not plain. */
export function inputPointer(location: string, segments: readonly string[]): string {
  let pointer = `/${location}`;
  for (const segment of segments) {
    if (!PLAIN_SEGMENT.test(segment)) break;
    pointer += `/${segment}`;
  }
  return pointer;
}
