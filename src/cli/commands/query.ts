import type { Command } from 'commander';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';
import { cliLogger, out, withLibraryConsole } from '../libraryConsole.js';
import { existsSync } from 'node:fs';
import { isLocalNetwork, resolveEndpoints, type MinerConfig } from '../../config/index.js';
import { readMetagraph, withChainApi } from '../../chain/index.js';
import { loadHotkey, walletFiles, type KeyScheme, type LoadedKey } from '../../wallet/index.js';
import { Dendrite } from '../../client/index.js';
import { ConfigError, EXIT_CODES, MinerError, silentLogger, systemClock } from '../../util/index.js';

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

/**
 * The axon's hotkey: the neuron announcing host:port, else (a devnet miner announces
 * 10.0.0.1 but listens on 127.0.0.1) the config wallet's own hotkey when it holds a uid with
 * an announced axon. Anything else is AXON_NOT_FOUND.
 */
async function axonHotkeyFromChain(
  cfg: MinerConfig,
  host: string,
  port: number,
  own: string | undefined,
): Promise<{ hotkey: string; by: 'address' | 'config wallet' }> {
  const found = await withChainApi({ endpoints: resolveEndpoints(cfg), connectTimeoutMs: cfg.chain.connectTimeoutMs }, silentLogger(), async (api) => {
    const snap = await readMetagraph(api, cfg.netuid, systemClock());
    const byAddress = snap.neurons.find((n) => n.axon && n.axon.ip === host && n.axon.port === port)?.hotkey;
    if (byAddress) return { hotkey: byAddress, by: 'address' as const };
    const mine = own === undefined ? undefined : snap.neurons.find((n) => n.hotkey === own && n.axon && n.axon.port > 0);
    return mine ? { hotkey: mine.hotkey, by: 'config wallet' as const } : undefined;
  });
  if (!found) {
    throw new MinerError(
      'AXON_NOT_FOUND',
      `query: no axon at ${host}:${port} on subnet ${cfg.netuid}; fix: pass --axon-hotkey SS58, or --to the address the miner announced`,
    );
  }
  return found;
}

/**
 * Who signs: --wallet/--hotkey when given; on a local devnet whose wallets directory holds the
 * example `validator` wallet, that one (the config's wallet is the miner's own, which no
 * blacklist admits); otherwise the config's wallet.
 */
function signerWallet(cfg: MinerConfig, opts: QueryOptions): MinerConfig['wallet'] {
  const explicit = opts.wallet ?? opts['wallet.name'] ?? opts.hotkey ?? opts['wallet.hotkey'];
  if (explicit !== undefined || !isLocalNetwork(cfg)) return cfg.wallet;
  const validator = { ...cfg.wallet, name: 'validator', hotkey: 'default' };
  return existsSync(walletFiles(validator).hotkeyFile) && validator.name !== cfg.wallet.name ? validator : cfg.wallet;
}

/** The config wallet's hotkey, when it can be read: only a hint for finding the axon. */
async function ownHotkey(cfg: MinerConfig): Promise<string | undefined> {
  try {
    return (await loadHotkey(cfg.wallet)).ss58;
  } catch {
    return undefined;
  }
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
  const signer = signerWallet(cfg, opts);
  const key: LoadedKey = await loadHotkey(signer, {}, scheme);
  const target = opts.axonHotkey ? { hotkey: opts.axonHotkey, by: '--axon-hotkey' } : await axonHotkeyFromChain(cfg, host, port, await ownHotkey(cfg));
  const axonHotkey = target.hotkey;
  const clock = systemClock();
  const dendrite = new Dendrite({ pair: key.pair }, { clock });
  try {
    const transport = form === 'ws' ? 'ws' : 'http';
    const a = await dendrite.query({
      host,
      port,
      axonHotkey,
      synapse: opts.synapse,
      body,
      timeoutMs,
      transport,
      form,
      ...(opts.route ? { target: opts.route } : {}),
    });
    if (opts.json) {
      out(JSON.stringify({ form, crypto: key.pair.type, signer: key.ss58, axonHotkey, axonBy: target.by, ...a }, null, 2));
    } else {
      out(`status:     ${a.status} ${a.message}${a.code ? ` [${a.code}]` : ''}`);
      out(
        `form:       ${form} (${key.pair.type} ${key.ss58}, wallet ${signer.name})${form === 'ws' ? ` (response signature ${a.verified ? 'verified' : 'NOT verified'})` : ''}`,
      );
      out(`axon:       ${axonHotkey} (by ${target.by})`);
      out(`latency:    ${a.latencyMs.toFixed(2)} ms (axon processing ${a.processTimeMs.toFixed(2)} ms)`);
      out(`body:       ${a.body === null ? 'null' : JSON.stringify(a.body)}`);
    }
    if (a.status !== 200) process.exitCode = EXIT_CODES.FAILED;
  } finally {
    await dendrite.close();
  }
}

export function registerQueryCommand(program: Command): void {
  const cmd = program
    .command('query')
    .description(
      'send one signed request to an axon in any form (WebSocket by default) and print the status, timing and answer; signs with --wallet/--hotkey, on a local devnet with the example validator wallet',
    )
    .requiredOption('--synapse <name>', 'synapse name, e.g. Dummy')
    .requiredOption('--body <json>', 'the synapse fields as JSON, e.g. \'{"dummy_input": 3}\'')
    .requiredOption('--to <host:port>', 'axon address')
    .option('--form <form>', 'legacy (SDK 10 POST /<Synapse>), btauth (btauth/1), epistula (Epistula v2) or ws (default)')
    .option('--http', 'the same as --form legacy')
    .option('--crypto <scheme>', 'sr25519 or ed25519 (btauth only); default: what the hotkey file holds')
    .option('--route <path>', 'btauth/epistula: the route and query to call (default /<synapse>), e.g. /v1/ocr')
    .option('--axon-hotkey <ss58>', "the axon's hotkey (default: the neuron announcing --to, else the config wallet's hotkey if it announced an axon)")
    .option('--timeout <seconds>', 'request timeout', '12')
    .option('--json', 'print the answer as JSON');
  addCommonOptions(cmd).action(async (opts: QueryOptions) => {
    await withLibraryConsole(cliLogger(opts.logLevel), () => runQuery(opts));
  });
}
