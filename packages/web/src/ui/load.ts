/**
 * @module ui/load
 *
 * Loads what a view shows, once on open, again on `reload()` (after the person changed
 * something) and whenever `key` (what is loaded, e.g. a patient id) changes; keeps the failure
 * in words (ui/problem.ts). An answer that arrives after a newer load started is dropped, so a
 * slow old answer never replaces a newer one.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { problemWords } from './problem.ts';

export interface Loaded<T> {
  /** `undefined` until the first answer (and after a failure). */
  readonly value: T | undefined;
  readonly error: string | undefined;
  /** Loads again; resolves once the answer (or failure) is shown. */
  readonly reload: () => Promise<void>;
}

export function useLoaded<T>(load: () => Promise<T>, key?: unknown): Loaded<T> {
  const [value, setValue] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const latestLoad = useRef(load);
  latestLoad.current = load;
  const round = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++round.current;
    try {
      const answer = await latestLoad.current();
      if (mine !== round.current) return;
      setValue(answer);
      setError(undefined);
    } catch (failure) {
      if (mine !== round.current) return;
      setValue(undefined);
      setError(problemWords(failure));
    }
  }, []);
  useEffect(() => {
    setValue(undefined);
    setError(undefined);
    void reload();
  }, [reload, key]);
  return { value, error, reload };
}
