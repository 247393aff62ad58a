/**
 * @module ui/care-load
 *
 * Loads what a view shows, once on open and again on `reload()` (after the person changed
 * something), and keeps the failure in words (ui/problem.ts) for the view to show.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { problemWords } from './problem.ts';

export interface Loaded<T> {
  /** `undefined` until the first answer. */
  readonly value: T | undefined;
  readonly error: string | undefined;
  readonly reload: () => Promise<void>;
}

export function useLoaded<T>(load: () => Promise<T>, key: string = ''): Loaded<T> {
  const [value, setValue] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  // `key` names what is loaded (a patient id): a new key loads afresh.
  const reload = useCallback(async () => {
    try {
      setValue(await load());
      setError(undefined);
    } catch (failure) {
      setError(problemWords(failure));
    }
  }, [key]);
  useEffect(() => {
    setValue(undefined);
    void reload();
  }, [reload]);
  return { value, error, reload };
}
