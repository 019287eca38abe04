import { gatewayOptionsFromEnv } from './config';

describe('gatewayOptionsFromEnv', () => {
  it('reads one backend from LLM_BASE_URL / LLM_MODEL / LLM_API_KEY', () => {
    const o = gatewayOptionsFromEnv({ LLM_BASE_URL: 'http://vllm:8000/v1', LLM_MODEL: 'llama-70b, llama-8b', LLM_API_KEY: 'k', LLM_MAX_IN_FLIGHT: '64', LLM_MAX_ATTEMPTS: '2' });
    expect(o.backends).toEqual([{ name: 'default', baseUrl: 'http://vllm:8000/v1', apiKey: 'k', models: ['llama-70b', 'llama-8b'], maxInFlight: 64 }]);
    expect(o.retry).toEqual({ maxAttempts: 2 });
  });
  it('reads several backends from LLM_BACKENDS', () => {
    const backends = [
      { name: 'a', baseUrl: 'http://a:8000/v1', models: ['m'] },
      { name: 'b', baseUrl: 'http://b:8000/v1', models: ['m'], maxInFlight: 10, structuredOutputField: 'both' },
    ];
    expect(gatewayOptionsFromEnv({ LLM_BACKENDS: JSON.stringify(backends) }).backends).toEqual(backends);
  });
  it('rejects bad configuration with a clear message', () => {
    expect(() => gatewayOptionsFromEnv({})).toThrow(/LLM_BASE_URL/);
    expect(() => gatewayOptionsFromEnv({ LLM_BASE_URL: 'http://x' })).toThrow(/LLM_MODEL/);
    expect(() => gatewayOptionsFromEnv({ LLM_BACKENDS: '[{"name":"a"}]' })).toThrow(/LLM_BACKENDS is invalid/);
    expect(() => gatewayOptionsFromEnv({ LLM_BACKENDS: '{' })).toThrow(/not valid JSON/);
  });
});
