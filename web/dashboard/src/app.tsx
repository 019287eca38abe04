import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized, storeKey, storedKey } from './api';
import { KeyVersion } from './key-context';
import { ExperimentPage } from './pages/experiment-page';
import { ListsPage } from './pages/lists-page';
import { SimulationPage } from './pages/simulation-page';
import { parseRoute } from './view-models/route';

const useRoute = () => {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return parseRoute(hash);
};

/** Asked for only after the API answered 401: an open API never shows it. */
function KeyPrompt({ onKey }: { onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <form class="key-prompt" onSubmit={(e) => (e.preventDefault(), key.trim() && onKey(key.trim()))}>
      <label>
        This API needs a key{storedKey() ? ' (the one entered was refused)' : ''}:{' '}
        <input name="api-key" type="password" value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="sws_…" autoFocus />
      </label>
      <button type="submit">Use key</button>
      <small>kept in this tab's session storage only</small>
    </form>
  );
}

export function App() {
  const route = useRoute();
  const [needKey, setNeedKey] = useState(false);
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => onUnauthorized(() => setNeedKey(true)), []);
  const useKey = (key: string) => {
    storeKey(key);
    setNeedKey(false);
    setKeyVersion((v) => v + 1);
  };
  return (
    <KeyVersion.Provider value={keyVersion}>
      <header>
        <a href="#/" class="brand">swe-sim</a>
        <nav>
          <a href="#/">Projects, simulations and experiments</a>
          <a href="/docs">API docs</a>
        </nav>
      </header>
      {needKey && <KeyPrompt onKey={useKey} />}
      <main>
        {route.page === 'home' && <ListsPage />}
        {route.page === 'project' && <ListsPage projectId={route.projectId} />}
        {route.page === 'simulation' && <SimulationPage key={route.simulationId} simulationId={route.simulationId} at={route.at} />}
        {route.page === 'experiment' && <ExperimentPage key={route.experimentId} experimentId={route.experimentId} metric={route.metric} />}
        {route.page === 'not-found' && <p class="empty">Nothing is at {route.hash}. <a href="#/">Back to the lists</a>.</p>}
      </main>
    </KeyVersion.Provider>
  );
}
