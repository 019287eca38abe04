import { SweSimClient } from '@swe-sim/api-client';

export interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

/** What every command gets: the API client and how to print. */
export interface CliContext {
  api: SweSimClient;
  json: boolean;
  /** A result: JSON with --json, else the human text. */
  print(human: string, value: unknown): void;
}

export function cliContext(options: GlobalOptions): CliContext {
  const key = options.apiKey ?? process.env.SWE_SIM_API_KEY;
  const json = !!options.json;
  return {
    api: new SweSimClient({ baseUrl: options.url, apiKey: () => key || undefined }),
    json,
    print: (human, value) => process.stdout.write(`${json ? JSON.stringify(value) : human}\n`),
  };
}
