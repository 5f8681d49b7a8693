import { resolveEndpoints } from './endpoints.js';
import type { MinerConfig } from './schema.js';

export interface ConfigWarning {
  /** Stable name for log queries and tests. */
  readonly warning: 'nothing_announced' | 'announce_loopback';
  readonly message: string;
  readonly fix: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Every endpoint is on this machine: a devnet, where nobody needs to find the axon. */
export function isLocalNetwork(cfg: Pick<MinerConfig, 'network'>): boolean {
  return resolveEndpoints(cfg).every((e) => {
    try {
      return isLoopbackHost(new URL(e).hostname);
    } catch {
      return false;
    }
  });
}

/**
 * What makes a miner on a real network invisible to validators without any error: no
 * announced address (serve_axon is never called), or a loopback one (the chain refuses it).
 * `config check` prints these and `run` logs them at start.
 */
export function announceWarnings(cfg: Pick<MinerConfig, 'network' | 'axon' | 'chain'>): ConfigWarning[] {
  if (isLocalNetwork(cfg)) return [];
  const ip = cfg.axon.externalIp;
  if (!cfg.chain.announceAxon) {
    return [
      {
        warning: 'nothing_announced',
        message: 'nothing will be announced: chain.announceAxon is false',
        fix: 'announce the axon elsewhere, or set chain.announceAxon=true',
      },
    ];
  }
  if (ip === undefined || ip === '') {
    return [
      {
        warning: 'nothing_announced',
        message: 'nothing will be announced: axon.externalIp is unset, so serve_axon is never called and validators cannot find this miner',
        fix: 'set axon.externalIp to the address validators reach (--external-ip, MINER_AXON_EXTERNAL_IP, or scripts/install.sh --external-ip)',
      },
    ];
  }
  if (isLoopbackHost(ip)) {
    return [
      {
        warning: 'announce_loopback',
        message: `axon.externalIp ${ip} is a loopback address: the chain refuses it`,
        fix: 'set axon.externalIp to the public address validators reach',
      },
    ];
  }
  return [];
}
