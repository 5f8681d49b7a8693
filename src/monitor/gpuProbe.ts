import { execFile } from 'node:child_process';
import type { Logger } from '../util/index.js';

export interface GpuSample {
  readonly index: number;
  readonly vendor: 'nvidia' | 'amd';
  /** 0..1, null when the tool reports N/A. */
  readonly utilizationRatio: number | null;
  readonly temperatureC: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  readonly powerWatts: number | null;
}

export type ExecFn = (file: string, args: readonly string[], opts: { timeoutMs: number }) => Promise<string>;

export const NVIDIA_SMI_ARGS = ['--query-gpu=utilization.gpu,temperature.gpu,memory.used,memory.total,power.draw', '--format=csv,noheader,nounits'] as const;

export const ROCM_SMI_ARGS = ['--showuse', '--showtemp', '--showmeminfo', 'vram', '--showpower', '--json'] as const;

const MIB = 1024 * 1024;

/** A number, or null for N/A, [Not Supported], empty or garbage. */
function num(field: string | undefined): number | null {
  if (field === undefined) return null;
  const t = field.trim().replace(/^\[|\]$/g, '');
  if (t === '' || !/^-?\d+(\.\d+)?$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Parses `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`: one line per GPU. */
export function parseNvidiaSmi(stdout: string): GpuSample[] {
  const out: GpuSample[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const f = line.split(',');
    if (f.length < 5) continue;
    const util = num(f[0]);
    const usedMiB = num(f[2]);
    const totalMiB = num(f[3]);
    out.push({
      index: out.length,
      vendor: 'nvidia',
      utilizationRatio: util === null ? null : util / 100,
      temperatureC: num(f[1]),
      memoryUsedBytes: usedMiB === null ? null : usedMiB * MIB,
      memoryTotalBytes: totalMiB === null ? null : totalMiB * MIB,
      powerWatts: num(f[4]),
    });
  }
  return out;
}

function pick(card: Record<string, unknown>, re: RegExp): number | null {
  for (const [k, v] of Object.entries(card)) {
    if (re.test(k)) {
      const n = num(String(v));
      if (n !== null) return n;
    }
  }
  return null;
}

/** Parses `rocm-smi --showuse --showtemp --showmeminfo vram --showpower --json`. */
export function parseRocmSmi(stdout: string): GpuSample[] {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return [];
  }
  if (typeof doc !== 'object' || doc === null) return [];
  const out: GpuSample[] = [];
  for (const [key, card] of Object.entries(doc as Record<string, unknown>)) {
    if (!/^card\d+$/.test(key) || typeof card !== 'object' || card === null) continue;
    const c = card as Record<string, unknown>;
    const util = pick(c, /GPU use \(%\)/i);
    out.push({
      index: Number(key.slice(4)),
      vendor: 'amd',
      utilizationRatio: util === null ? null : util / 100,
      temperatureC: pick(c, /Temperature \(Sensor edge\)/i) ?? pick(c, /Temperature.*\(C\)/i),
      memoryUsedBytes: pick(c, /VRAM Total Used Memory \(B\)/i),
      memoryTotalBytes: pick(c, /VRAM Total Memory \(B\)/i),
      powerWatts: pick(c, /Power \(W\)/i),
    });
  }
  return out;
}

/** execFile without a shell, with a timeout and a bounded output. */
export const defaultExec: ExecFn = (file, args, opts) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: opts.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024, windowsHide: true }, (err, stdout) => {
      if (err) reject(err);
      else resolve(String(stdout));
    });
  });

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EACCES';
}

type ProbeState = 'unknown' | 'nvidia' | 'amd' | 'none';

/**
 * Finds the GPU tool once (nvidia-smi, then rocm-smi). Without one it says so once at info
 * and never tries again; a tool that worked and then fails is reported once at warn.
 */
export class GpuProbe {
  private state: ProbeState = 'unknown';
  private failing = false;

  constructor(
    private readonly opts: { timeoutMs: number; nvidiaSmi?: string; rocmSmi?: string },
    private readonly modules: { logger: Logger; exec?: ExecFn },
  ) {}

  get vendor(): ProbeState {
    return this.state;
  }

  async sample(): Promise<GpuSample[]> {
    if (this.state === 'none') return [];
    if (this.state === 'unknown') return this.detect();
    return this.query(this.state);
  }

  private async detect(): Promise<GpuSample[]> {
    for (const vendor of ['nvidia', 'amd'] as const) {
      try {
        const samples = await this.run(vendor);
        if (samples.length > 0) {
          this.state = vendor;
          this.modules.logger.info({ vendor, gpus: samples.length }, 'gpu monitoring on');
          return samples;
        }
      } catch (err) {
        if (!isMissing(err)) this.modules.logger.debug({ vendor, err: errText(err) }, 'gpu tool failed');
      }
    }
    this.state = 'none';
    this.modules.logger.info('no gpu found (nvidia-smi and rocm-smi absent or failing): gpu monitoring off');
    return [];
  }

  private async query(vendor: 'nvidia' | 'amd'): Promise<GpuSample[]> {
    try {
      const samples = await this.run(vendor);
      if (this.failing) this.modules.logger.info({ vendor }, 'gpu query recovered');
      this.failing = false;
      return samples;
    } catch (err) {
      if (!this.failing) this.modules.logger.warn({ vendor, err: errText(err) }, 'gpu query failed');
      this.failing = true;
      return [];
    }
  }

  private async run(vendor: 'nvidia' | 'amd'): Promise<GpuSample[]> {
    const exec = this.modules.exec ?? defaultExec;
    const t = { timeoutMs: this.opts.timeoutMs };
    if (vendor === 'nvidia') return parseNvidiaSmi(await exec(this.opts.nvidiaSmi ?? 'nvidia-smi', NVIDIA_SMI_ARGS, t));
    return parseRocmSmi(await exec(this.opts.rocmSmi ?? 'rocm-smi', ROCM_SMI_ARGS, t));
  }
}

function errText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  return String(e?.code ?? e?.message ?? err).slice(0, 200);
}
