// Bundles agent.mjs with the `openai` client into one file the sandbox's Node 18 runs offline:
// node examples/agent-programs/node/bundle.mjs [outfile]  →  examples/agent-programs/node/dist/agent.js by default
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export async function bundleAgent(outfile = here('./dist/agent.js')) {
  await build({ entryPoints: [here('./agent.mjs')], bundle: true, platform: 'node', target: 'node18', format: 'cjs', outfile, logLevel: 'warning' });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await bundleAgent(process.argv[2]));
