import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { ApiPromise } from '@polkadot/api';
import { addCommonOptions, configFromOptions, type CommonOptions } from '../options.js';
import { cliLogger, out, withLibraryConsole } from '../libraryConsole.js';
import { resolveEndpoints, type MinerConfig } from '../../config/index.js';
import { callByName, chainErrorOf, submitExtrinsic, withChainApi } from '../../chain/index.js';
import { loadColdkey, loadHotkey, readColdkeyPub, readHotkeyPub } from '../../wallet/index.js';
import { MinerError, silentLogger } from '../../util/index.js';

interface RegisterOptions extends CommonOptions {
  yes?: boolean;
}

/** What the chain's refusal means for the operator. */
const WHY: Record<string, string> = {
  RegistrationDisabled:
    'this runtime does not allow burned registration on this subnet (the spec 103 testnet genesis refuses it); registration there goes through sudo (the devnet registers through //Alice)',
  SubNetRegistrationDisabled: 'registration is closed on this subnet right now',
  TooManyRegistrationsThisBlock: 'too many registrations in this block; try again in a few blocks',
  TooManyRegistrationsThisInterval: 'the subnet reached its registrations for this interval; try again later',
  HotKeyAlreadyRegisteredInSubNet: 'this hotkey is already registered on the subnet',
  NotEnoughBalanceToStake: 'the coldkey balance is below the burn cost',
  NotEnoughBalance: 'the coldkey balance is below the burn cost',
  BalanceWithdrawalError: 'the coldkey balance is below the burn cost',
  SubNetworkDoesNotExist: 'the subnet does not exist on this chain; check netuid',
  NetworkDoesNotExist: 'the subnet does not exist on this chain; check netuid',
  NonAssociatedColdKey: 'this hotkey is owned by another coldkey',
};

function explain(chainError: string): string {
  const name = chainError.split('.').pop() ?? chainError;
  return WHY[name] ?? 'see the chain error name';
}

function tao(rao: bigint): string {
  const frac = (rao % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${rao / 1_000_000_000n}${frac ? `.${frac}` : ''} TAO`;
}

function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    // Echo nothing of what is typed after the question.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stdout.write(question);
    };
  }
  return new Promise((resolve) =>
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stdout.write('\n');
      resolve(answer);
    }),
  );
}

async function hotkeyAddress(cfg: MinerConfig): Promise<string> {
  try {
    return (await readHotkeyPub(cfg.wallet)).ss58;
  } catch {
    return (await loadHotkey(cfg.wallet)).ss58;
  }
}

async function burnCost(api: ApiPromise, netuid: number): Promise<bigint> {
  const burn = api.query['subtensorModule']?.['burn'];
  return burn ? BigInt((await burn(netuid)).toString()) : 0n;
}

/** Asks on the terminal; without one, the operator must have said --yes. */
async function confirmBurn(cost: bigint): Promise<boolean> {
  if (!process.stdin.isTTY) throw new MinerError('BAD_REQUEST', 'confirmation needed and stdin is not a terminal; fix: pass --yes');
  const answer = (await ask(`burn ${tao(cost)} to register? [y/N] `)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

async function register(cfg: MinerConfig, yes: boolean): Promise<void> {
  const hotkey = await hotkeyAddress(cfg);
  const coldPub = (await readColdkeyPub(cfg.wallet)).ss58;
  const endpoints = resolveEndpoints(cfg);
  await withChainApi({ endpoints, connectTimeoutMs: cfg.chain.connectTimeoutMs }, silentLogger(), async (api, endpoint) => {
    const q = api.query['subtensorModule']!;
    const uid = (await q['uids']!(cfg.netuid, hotkey)) as unknown as { isSome: boolean; unwrap(): { toString(): string } };
    if (uid.isSome) {
      out(`hotkey ${hotkey} is already registered on netuid ${cfg.netuid} as uid ${uid.unwrap().toString()}`);
      return;
    }
    if (!api.tx['subtensorModule']?.['burnedRegister']) {
      throw new MinerError('CHAIN_REJECTED', `the runtime at ${endpoint} has no burned_register call`);
    }
    const cost = await burnCost(api, cfg.netuid);
    const acct = (await api.query['system']!['account']!(coldPub)) as unknown as { data: { free: { toBigInt(): bigint } } };
    const free = acct.data.free.toBigInt();
    out(
      [
        `chain     ${endpoint} (spec_version ${api.runtimeVersion.specVersion.toString()})`,
        `netuid    ${cfg.netuid}`,
        `hotkey    ${hotkey} (wallet ${cfg.wallet.name}/${cfg.wallet.hotkey})`,
        `coldkey   ${coldPub} (balance ${tao(free)})`,
        `cost      ${tao(cost)} burned (recycled), plus the transaction fee`,
      ].join('\n'),
    );
    if (free < cost) out('warning: the coldkey balance is below the cost; the chain will refuse');
    if (!yes && !(await confirmBurn(cost))) {
      out('not registered (cancelled)');
      return;
    }
    const cold = await loadColdkey(cfg.wallet, {
      env: process.env,
      ...(process.stdin.isTTY ? { prompt: () => ask(`password for coldkey of wallet "${cfg.wallet.name}": `, true) } : {}),
    });
    const tx = callByName(api, 'subtensorModule', 'burnedRegister', { netuid: cfg.netuid, hotkey });
    try {
      const inc = await submitExtrinsic(api, tx, cold.pair, { timeoutMs: 180_000 });
      const now = (await q['uids']!(cfg.netuid, hotkey)) as unknown as { isSome: boolean; unwrap(): { toString(): string } };
      const block = (await api.rpc.chain.getHeader(inc.blockHash)).number.toNumber();
      out(`registered: hotkey ${hotkey} holds uid ${now.isSome ? now.unwrap().toString() : '?'} on netuid ${cfg.netuid} (block ${block})`);
    } catch (err) {
      const chainError = chainErrorOf(err);
      if (chainError)
        throw new MinerError('CHAIN_REJECTED', `the chain refused burned_register: ${chainError}: ${explain(chainError)}`, { details: { chainError } });
      throw err;
    }
  });
}

export function registerRegisterCommand(program: Command): void {
  const cmd = program.command('register').description('register the hotkey on the subnet with burned_register (signed by the coldkey)');
  addCommonOptions(cmd)
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', '\nThe coldkey password comes from MINER_COLDKEY_PASSWORD (or BT_COLD_PW_<WALLET>) or a prompt.')
    .action(async (opts: RegisterOptions) => {
      const cfg = configFromOptions(opts);
      await withLibraryConsole(cliLogger(opts.logLevel), () => register(cfg, opts.yes === true));
    });
}
