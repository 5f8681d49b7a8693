import type { Command } from 'commander';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';
import { cliLogger, out, withLibraryConsole } from '../libraryConsole.js';
import { resolveEndpoints, type MinerConfig } from '../../config/index.js';
import { readMetagraph, withChainApi } from '../../chain/index.js';
import { loadHotkey, type KeyScheme } from '../../wallet/index.js';
import { Dendrite } from '../../axon/index.js';
import { ConfigError, MinerError, silentLogger, systemClock } from '../../util/index.js';

interface QueryOptions extends CommonOptions {
  synapse: string;
  body: string;
  to: string;
  http?: boolean;
  form?: string;
  crypto?: string;
  route?: string;
  axonHotkey?: string;
  timeout: string;
  json?: boolean;
}

function parseTarget(to: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(to.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new ConfigError(`query: bad --to "${to}"; fix: write host:port, e.g. --to 127.0.0.1:8091`);
  }
  return { host: m[1]!, port };
}

function parseBody(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ConfigError(`query: --body is not JSON; fix: quote it, e.g. --body '{"dummy_input": 3}'`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError('query: --body must be a JSON object');
  return v as Record<string, unknown>;
}

/** The hotkey serving at host:port according to the subnet's metagraph. */
async function axonHotkeyFromChain(cfg: MinerConfig, host: string, port: number): Promise<string> {
  const found = await withChainApi({ endpoints: resolveEndpoints(cfg), connectTimeoutMs: cfg.chain.connectTimeoutMs }, silentLogger(), async (api) => {
    const snap = await readMetagraph(api, cfg.netuid, systemClock());
    return snap.neurons.find((n) => n.axon && n.axon.ip === host && n.axon.port === port)?.hotkey;
  });
  if (!found) {
    throw new MinerError('CHAIN_UNAVAILABLE', `query: no axon at ${host}:${port} on subnet ${cfg.netuid}; fix: pass --axon-hotkey SS58`);
  }
  return found;
}

const FORMS = ['legacy', 'btauth', 'epistula', 'ws'] as const;
type Form = (typeof FORMS)[number];

function parseForm(opts: QueryOptions): Form {
  const form = opts.form ?? (opts.http ? 'legacy' : 'ws');
  if (!(FORMS as readonly string[]).includes(form)) throw new ConfigError(`query: --form must be one of ${FORMS.join(', ')}`);
  return form as Form;
}

/** Only btauth/1 declares its scheme on the wire; the other forms are sr25519. */
function parseCrypto(crypto: string | undefined, form: Form): KeyScheme | undefined {
  if (crypto === undefined) return undefined;
  if (crypto !== 'sr25519' && crypto !== 'ed25519') throw new ConfigError('query: --crypto must be sr25519 or ed25519');
  if (crypto === 'ed25519' && form !== 'btauth') throw new ConfigError('query: --crypto ed25519 needs --form btauth (the other forms are sr25519 only)');
  return crypto;
}

async function runQuery(opts: QueryOptions): Promise<void> {
  const cfg = configFromOptions(opts);
  const { host, port } = parseTarget(opts.to);
  const body = parseBody(opts.body);
  const timeoutMs = Math.round(Number(opts.timeout) * 1000);
  if (!(timeoutMs > 0)) throw new ConfigError('query: --timeout must be a positive number of seconds');
  const form = parseForm(opts);
  const scheme = parseCrypto(opts.crypto, form);
  const key = await loadHotkey(cfg.wallet, {}, scheme);
  const axonHotkey = opts.axonHotkey ?? (await axonHotkeyFromChain(cfg, host, port));
  const clock = systemClock();
  const dendrite = new Dendrite({ pair: key.pair }, { clock });
  try {
    const transport = form === 'ws' ? 'ws' : 'http';
    const a = await dendrite.query({
      host, port, axonHotkey, synapse: opts.synapse, body, timeoutMs, transport, form, ...(opts.route ? { target: opts.route } : {}),
    });
    if (opts.json) {
      out(JSON.stringify({ form, crypto: key.pair.type, ...a }, null, 2));
    } else {
      out(`status:     ${a.status} ${a.message}${a.code ? ` [${a.code}]` : ''}`);
      out(`form:       ${form} (${key.pair.type} ${key.ss58})${form === 'ws' ? ` (response signature ${a.verified ? 'verified' : 'NOT verified'})` : ''}`);
      out(`latency:    ${a.latencyMs.toFixed(2)} ms (axon processing ${a.processTimeMs.toFixed(2)} ms)`);
      out(`body:       ${a.body === null ? 'null' : JSON.stringify(a.body)}`);
    }
    if (a.status !== 200) process.exitCode = 1;
  } finally {
    await dendrite.close();
  }
}

export function registerQueryCommand(program: Command): void {
  const cmd = program
    .command('query')
    .description('send one signed request to an axon in any form (WebSocket by default) and print the status, timing and answer')
    .requiredOption('--synapse <name>', 'synapse name, e.g. Dummy')
    .requiredOption('--body <json>', 'the synapse fields as JSON, e.g. \'{"dummy_input": 3}\'')
    .requiredOption('--to <host:port>', 'axon address')
    .option('--form <form>', 'legacy (SDK 10 POST /<Synapse>), btauth (btauth/1), epistula (Epistula v2) or ws (default)')
    .option('--http', 'the same as --form legacy')
    .option('--crypto <scheme>', 'sr25519 or ed25519 (btauth only); default: what the hotkey file holds')
    .option('--route <path>', 'btauth/epistula: the route and query to call (default /<synapse>), e.g. /v1/ocr')
    .option('--axon-hotkey <ss58>', "the axon's hotkey (default: looked up by address in the metagraph)")
    .option('--timeout <seconds>', 'request timeout', '12')
    .option('--json', 'print the answer as JSON');
  addCommonOptions(cmd).action(async (opts: QueryOptions) => {
    await withLibraryConsole(cliLogger(opts.logLevel), () => runQuery(opts));
  });
}
