import { useEffect, useRef, useState } from 'preact/hooks';
import type { HistoryEvent } from '@swe-sim/api-client';
import { api, describeError } from './api';
import { useKeyVersion } from './key-context';

/** Loads with `load` whenever `deps` change or a key is entered; `reload` loads again. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const keyVersion = useKeyVersion();
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(abort.signal).then(
      (data) => !abort.signal.aborted && setState({ data, loading: false }),
      (err) => !abort.signal.aborted && setState((s) => ({ data: s.data, error: describeError(err), loading: false })),
    );
    return () => abort.abort();
  }, [...deps, keyVersion, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/**
 * A simulation's history, live: the events so far, then each as it commits (the SSE stream).
 * Renders at most every 250 ms, so a long history arriving at once is drawn a few times, not per event.
 */
export function useHistory(simulationId: string) {
  const keyVersion = useKeyVersion();
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [error, setError] = useState<string>();
  const buffer = useRef<HistoryEvent[]>([]);
  useEffect(() => {
    const abort = new AbortController();
    buffer.current = [];
    setEvents([]);
    setError(undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      if (!abort.signal.aborted) setEvents([...buffer.current]);
    };
    (async () => {
      try {
        for await (const e of api.stream(simulationId, { signal: abort.signal })) {
          buffer.current.push(e);
          timer ??= setTimeout(flush, buffer.current.length < 2 ? 0 : 250);
        }
      } catch (err) {
        if (!abort.signal.aborted) setError(describeError(err));
      }
    })();
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [simulationId, keyVersion]);
  return { events, error };
}

/** Calls `fn` at most once per `ms` while `value` keeps changing (the last change always lands). */
export function useThrottledEffect(fn: () => void, value: unknown, ms: number) {
  const last = useRef(0);
  useEffect(() => {
    const wait = Math.max(0, last.current + ms - Date.now());
    const t = setTimeout(() => {
      last.current = Date.now();
      fn();
    }, wait);
    return () => clearTimeout(t);
  }, [value]);
}
