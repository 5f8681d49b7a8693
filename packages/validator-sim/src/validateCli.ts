import type { Command } from 'commander';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../../../src/cli/index.js';
import { ConfigError, MinerError, createRootLogger, flushLogger, systemClock, ServiceGroup, type CoreModules, type Logger } from '../../../src/util/index.js';
import { resolveEndpoints, type MinerConfig } from '../../../src/config/index.js';
import { loadHotkey } from '../../../src/wallet/index.js';
import { ChainClient, MetagraphSync } from '../../../src/chain/index.js';
import { Dendrite, type DendriteForm } from '../../../src/client/index.js';
import { createMetricsRegistry } from '../../../src/metrics/index.js';
import { ValidatorSim, dendritePageQuery, parseHostPort, scorePages, type PagesSummary } from './index.js';

interface ValidateOptions extends CommonOptions {
  minerHost?: string;
  minerAddress?: string[];
  rounds?: string;
  once?: boolean;
  tempo?: string;
  intervalMs?: string;
  timeoutMs: string;
  transport: 'http' | 'ws';
  form?: string;
  seed?: string;
  alpha?: string;
  versionKey?: string;
  scoreOnly?: boolean;
  pages: string;
  to?: string;
  axonHotkey?: string;
  concurrency: string;
  json?: boolean;
}

function collect(value: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), value];
}

/** Makes cmd the validator simulator: its options and its action (the bin's root command). */
export function configureValidateCommand(cmd: Command): Command {
  cmd.description(
    'run a validator for a devnet: send synthetic invoice pages (OCRSynapse), score miners with the OCR tutorial reward, set weights every tempo',
  );
  addCommonOptions(cmd)
    .option('--miner-host <host>', 'query every miner at this host instead of its announced IP (devnet miners announce 10.0.0.1)')
    .option('--miner-address <hotkey=host:port>', 'where to reach one miner (repeatable)', collect)
    .option('--rounds <n>', 'stop after n rounds')
    .option('--once', 'one round, then set weights if the rate limit allows, then exit')
    .option('--tempo <blocks>', 'blocks between set_weights (default: the subnet tempo)')
    .option('--interval-ms <ms>', 'pause between rounds', '2000')
    .option('--timeout-ms <ms>', 'per-query timeout', '12000')
    .option('--transport <kind>', 'http (as the Python dendrite) or ws', 'http')
    .option('--form <form>', 'legacy, btauth, epistula or ws (wins over --transport)')
    .option('--seed <seed>', 'page seed (default: time-based)')
    .option('--alpha <a>', 'moving-average weight of the newest reward', '0.05')
    .option('--version-key <n>', 'set_weights version_key (never below the subnet WeightsVersionKey)')
    .option('--score-only', 'no chain: score one miner on --pages pages and print the mean score and components')
    .option('--pages <n>', 'pages for --score-only', '20')
    .option('--to <host:port>', 'miner axon for --score-only')
    .option('--axon-hotkey <ss58>', 'the miner hotkey for --score-only (the axon checks it is addressed)')
    .option('--concurrency <n>', 'pages in flight at once for --score-only', '1')
    .option('--json', 'print the --score-only summary as JSON')
    .action(async (opts: ValidateOptions) => {
      if (opts.scoreOnly) await scoreOnly(opts);
      else await runValidator(opts);
    });
  return cmd;
}

function int(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

function addressOverrides(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of list ?? []) {
    const eq = entry.indexOf('=');
    const addr = entry.slice(eq + 1);
    if (eq <= 0 || !parseHostPort(addr)) throw new ConfigError(`--miner-address must be HOTKEY=host:port, got "${entry}"`);
    out[entry.slice(0, eq)] = addr;
  }
  return out;
}

async function scoreOnly(opts: ValidateOptions): Promise<void> {
  const target = opts.to ? parseHostPort(opts.to) : undefined;
  if (!target) throw new ConfigError('--score-only needs --to host:port');
  if (!opts.axonHotkey) throw new ConfigError('--score-only needs --axon-hotkey SS58 (the miner hotkey)');
  const config = configFromOptions(opts);
  const key = await loadHotkey(config.wallet);
  const dendrite = new Dendrite({ pair: key.pair }, { clock: systemClock() });
  try {
    const query = dendritePageQuery(dendrite, {
      ...target,
      axonHotkey: opts.axonHotkey,
      timeoutMs: int(opts.timeoutMs, '--timeout-ms', 1) ?? 12_000,
      transport: opts.transport,
      ...formOption(opts.form),
    });
    const summary = await scorePages(
      {
        pages: int(opts.pages, '--pages', 1) ?? 20,
        seed: opts.seed ?? 'score',
        concurrency: int(opts.concurrency, '--concurrency', 1) ?? 1,
      },
      query,
    );
    printSummary(summary, opts.json === true);
  } finally {
    await dendrite.close();
  }
}

function printSummary(s: PagesSummary, json: boolean): void {
  const { perPage, ...rest } = s;
  if (json) {
    console.log(
      JSON.stringify(
        {
          ...rest,
          perPage: perPage.map((p) => ({
            total: p.total,
            prediction: p.prediction,
            text: p.text,
            position: p.position,
            font: p.font,
            status: p.status,
            latencyMs: p.latencyMs,
          })),
        },
        null,
        2,
      ),
    );
    return;
  }
  const f = (v: number): string => v.toFixed(4);
  console.log(`pages ${s.pages}  failures ${s.failures}`);
  console.log(`mean score (tutorial reward, time term included) ${f(s.meanTotal)}`);
  console.log(`mean score without the time term               ${f(s.meanPrediction)}`);
  console.log(`components: text ${f(s.meanText)}  position ${f(s.meanPosition)}  font ${f(s.meanFont)}`);
  console.log(
    `latency ms: mean ${s.meanLatencyMs.toFixed(1)}  p50 ${s.p50LatencyMs.toFixed(1)}  p95 ${s.p95LatencyMs.toFixed(1)}  max ${s.maxLatencyMs.toFixed(1)}`,
  );
  console.log(`labels per page ${s.meanLabels.toFixed(1)}  predictions per page ${s.meanPredictions.toFixed(1)}`);
}

async function runValidator(opts: ValidateOptions): Promise<void> {
  const config = configFromOptions(opts);
  const logger = createRootLogger({ level: config.log.level, pretty: config.log.pretty });
  const key = await loadHotkey(config.wallet);
  const abort = new AbortController();
  const modules: CoreModules = { logger, clock: systemClock(), signal: abort.signal };
  const core = (module: string): CoreModules => ({ ...modules, logger: logger.child({ module }) });
  const chain = new ChainClient({ endpoints: resolveEndpoints(config), ...config.chain }, { ...core('chain'), metrics: null });
  const metagraph = new MetagraphSync(
    { netuid: config.netuid, syncEveryBlocks: config.chain.syncEveryBlocks, ownHotkey: key.pair.address },
    { ...core('metagraph'), chain, metrics: null },
  );
  const dendrite = new Dendrite({ pair: key.pair }, { clock: modules.clock, logger: logger.child({ module: 'dendrite' }) });
  const sim = new ValidatorSim(simOptions(opts, config), {
    ...core('validator'),
    registry: createMetricsRegistry(),
    pair: key.pair,
    metagraph,
    chain,
    dendrite,
  });
  const group = new ServiceGroup(logger.child({ module: 'validate' }));
  for (const s of [chain, metagraph]) group.add(s);
  const shutdown = async (): Promise<void> => {
    abort.abort();
    await sim.stop();
    await group.stop();
    await dendrite.close();
    await flushLogger(logger);
  };
  installSignals(logger, shutdown);
  logger.info({ hotkey: key.ss58, netuid: config.netuid }, 'validator starting');
  await group.start();
  await firstMetagraph(chain, metagraph, config.chain.connectTimeoutMs, abort.signal);
  await sim.start();
  await sim.done();
  await shutdown();
}

/** The first round needs miners to ask: wait for the chain and one metagraph sync. */
async function firstMetagraph(chain: ChainClient, metagraph: MetagraphSync, timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (!(await chain.waitConnected(timeoutMs))) {
    throw new MinerError('CHAIN_UNAVAILABLE', `no chain connection within ${timeoutMs} ms; check --endpoint / network.endpoints`);
  }
  const until = Date.now() + timeoutMs;
  while (!metagraph.current() && !signal.aborted) {
    await metagraph.syncNow().catch(() => undefined);
    if (metagraph.current()) break;
    if (Date.now() > until) throw new MinerError('CHAIN_UNAVAILABLE', `no metagraph within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

const FORMS: readonly DendriteForm[] = ['legacy', 'btauth', 'epistula', 'ws'];

function formOption(form: string | undefined): { form?: DendriteForm } {
  if (form === undefined) return {};
  if (!(FORMS as readonly string[]).includes(form)) throw new ConfigError(`--form must be one of ${FORMS.join(', ')}`);
  return { form: form as DendriteForm };
}

function simOptions(opts: ValidateOptions, config: MinerConfig): ConstructorParameters<typeof ValidatorSim>[0] {
  const rounds = opts.once ? 1 : int(opts.rounds, '--rounds', 1);
  const tempo = opts.once ? 0 : int(opts.tempo, '--tempo', 0);
  const versionKey = int(opts.versionKey, '--version-key', 0);
  const alpha = Number(opts.alpha ?? '0.05');
  if (!(alpha > 0 && alpha <= 1)) throw new ConfigError(`--alpha must be in (0, 1], got "${opts.alpha}"`);
  if (opts.transport !== 'http' && opts.transport !== 'ws') throw new ConfigError('--transport must be http or ws');
  return {
    ...formOption(opts.form),
    netuid: config.netuid,
    queryTimeoutMs: int(opts.timeoutMs, '--timeout-ms', 1) ?? 12_000,
    transport: opts.transport,
    seed: opts.seed ?? `validate-${Date.now()}`,
    roundIntervalMs: int(opts.intervalMs, '--interval-ms', 0) ?? 2_000,
    movingAverageAlpha: alpha,
    axonAddressOverride: addressOverrides(opts.minerAddress),
    ...(opts.minerHost ? { hostOverride: opts.minerHost } : {}),
    ...(rounds !== undefined ? { maxRounds: rounds } : {}),
    ...(tempo !== undefined ? { tempo } : {}),
    ...(versionKey !== undefined ? { versionKey } : {}),
  };
}

function installSignals(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'validator stopping');
    shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
