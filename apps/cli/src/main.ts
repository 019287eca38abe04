#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { cliContext, GlobalOptions } from './context';
import { EXIT, describeCliError, exitCodeOf } from './exit-codes';
import { createProject, listProjects } from './commands/projects';
import { cancel, exportHistory, fork, replay, simulate, status, watch } from './commands/simulations';
import { controlExperiment, experimentReport, experimentStatus, extendExperiment, listExperiments, runExperiment, watchExperiment } from './commands/experiments';

/**
 * `swe-sim`: the REST API from a terminal or a script. Exit codes: 0 done, 1 bad outcome, 2 usage,
 * 3 refused by the API, 4 key problem, 5 unreachable (see exit-codes.ts).
 */
const program = new Command('swe-sim')
  .description('Simulations of teams of LLM software engineers, through the swe-sim REST API')
  .addOption(new Option('--url <url>', 'the API (project-management)').env('SWE_SIM_URL').default('http://localhost:3000'))
  .addOption(new Option('--api-key <key>', 'an API key (when the API has keys)').env('SWE_SIM_API_KEY'))
  .option('--json', 'print results as JSON (for scripts)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

const collect = (value: string, previous: string[]) => [...previous, value];

/** Runs a command with the global options' context; its number is the exit code. */
const run =
  <A extends unknown[]>(fn: (ctx: ReturnType<typeof cliContext>, ...args: A) => Promise<number | void>) =>
  async (...args: A) => {
    const ctx = cliContext(program.opts<GlobalOptions>());
    try {
      process.exitCode = (await fn(ctx, ...args)) ?? EXIT.OK;
    } catch (err) {
      process.stderr.write(`${describeCliError(err, ctx.json)}\n`);
      process.exitCode = exitCodeOf(err);
    }
  };

const projects = program.command('projects').description('create and list projects');
projects.command('create <source>').description('create a project from a project.json or a folder like examples/<name>').action(run((ctx, source: string) => createProject(ctx, source)));
projects.command('list').description('projects, newest first').option('--limit <n>', 'how many', '20').action(run((ctx, o: { limit: string }) => listProjects(ctx, { limit: Number(o.limit) })));

program
  .command('simulate <projectId>')
  .description('start a simulation of a project')
  .option('--seed <n>', 'the seed')
  .option('--teams <n>', 'how many teams')
  .option('--team-size <n>', 'members per team')
  .option('--set <key=value>', 'any other configuration, e.g. process.pairing=false (repeatable)', collect, [])
  .option('--watch', 'follow it to its end with a progress bar; exit 0 when it completed, 1 otherwise')
  .action(run((ctx, projectId: string, o) => simulate(ctx, projectId, o)));
program.command('watch <simulationId>').description('follow a simulation live to its end').action(run((ctx, id: string) => watch(ctx, id)));
program.command('status <simulationId>').description('status, teams, progress and metrics').action(run((ctx, id: string) => status(ctx, id)));
program.command('cancel <simulationId>').description('stop a simulation').option('--reason <text>', 'why').action(run((ctx, id: string, o) => cancel(ctx, id, o)));
program
  .command('replay <simulationId>')
  .description('re-execute an ended simulation from its recording; exit 0 when identical, 1 when it diverged')
  .option('--wait-ms <ms>', 'how long the API waits before answering "running" (then the CLI polls)', '60000')
  .action(run((ctx, id: string, o) => replay(ctx, id, o)));
program
  .command('fork <simulationId>')
  .description('a new simulation sharing the history up to a position, live after it')
  .requiredOption('--at <position>', 'the position to fork at')
  .option('--set <key=value>', 'an override, e.g. models.default.sampling.temperature=0.9 (repeatable)', collect, [])
  .option('--watch', 'follow the fork to its end')
  .action(run((ctx, id: string, o) => fork(ctx, id, o)));
program
  .command('export <simulationId>')
  .description('the history as JSON lines: events, or chat fine-tuning examples')
  .option('--format <format>', 'events or chat', 'events')
  .option('--metadata', 'with chat: where each call came from')
  .action(run((ctx, id: string, o) => exportHistory(ctx, id, o)));

const experiment = program.command('experiment').description('A/B experiments: variants of a simulation over seeds or forks');
experiment
  .command('run <spec>')
  .description('create an experiment from a spec (YAML or JSON: the body of POST /experiments)')
  .option('--watch', 'follow it to its end, then print the report; exit 0 when it completed, 1 when cancelled')
  .action(run((ctx, spec: string, o) => runExperiment(ctx, spec, o)));
experiment.command('list').description('experiments, newest first').action(run((ctx) => listExperiments(ctx)));
experiment.command('watch <experimentId>').description('follow an experiment to its end, then print the report').action(run((ctx, id: string) => watchExperiment(ctx, id)));
experiment.command('status <experimentId>').description('status and runs per variant').action(run((ctx, id: string) => experimentStatus(ctx, id)));
for (const action of ['pause', 'resume', 'cancel'] as const) {
  experiment.command(`${action} <experimentId>`).description(`${action} an experiment`).action(run((ctx, id: string) => controlExperiment(ctx, id, action)));
}
experiment
  .command('extend <experimentId>')
  .description('add seeds (every variant runs them) or variants (each runs every seed); only the new runs start')
  .option('--seeds <list>', 'seeds to add, e.g. 4,5,6')
  .option('--variants <spec>', 'a YAML or JSON file with a "variants" list to add')
  .action(run((ctx, id: string, o) => extendExperiment(ctx, id, o)));
experiment
  .command('report <experimentId>')
  .description('the results: per variant and metric mean and interval, against the control difference, p-value and effect size')
  .option('--csv', "the API's CSV (one row per variant and metric)")
  .action(run((ctx, id: string, o) => experimentReport(ctx, id, o)));

program.parseAsync(process.argv).catch((err) => {
  if (err instanceof CommanderError) {
    // --help and --version are not errors.
    process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return;
  }
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = EXIT.USAGE;
});
