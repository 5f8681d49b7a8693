import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GpuProbe, NVIDIA_SMI_ARGS, parseNvidiaSmi, parseRocmSmi, type ExecFn } from '../../../src/monitor/index.js';
import { captureLogger } from './fixtures.js';

const MIB = 1024 * 1024;

// Recorded from real hosts: an H100, a two-GPU box whose second card reports N/A fields,
// and a consumer card that says [Not Supported] for power.
const H100 = '0, 34, 1, 81559, 72.63\n';
const TWO_GPUS = '97, 81, 40211, 81559, 612.50\r\n[N/A], 45, 0, 81559, [N/A]\r\n';
const NOT_SUPPORTED = '12, 52, 745, 6144, [Not Supported]\n\n';

const ROCM = JSON.stringify({
  card0: {
    'GPU use (%)': '87',
    'Temperature (Sensor edge) (C)': '71.0',
    'Temperature (Sensor junction) (C)': '84.0',
    'VRAM Total Memory (B)': '68702699520',
    'VRAM Total Used Memory (B)': '1073741824',
    'Average Graphics Package Power (W)': '301.0',
  },
  system: { 'Driver version': '6.7.0' },
});

describe('parseNvidiaSmi', () => {
  it('parses one line per GPU with units converted', () => {
    expect(parseNvidiaSmi(H100)).toEqual([
      { index: 0, vendor: 'nvidia', utilizationRatio: 0, temperatureC: 34, memoryUsedBytes: 1 * MIB, memoryTotalBytes: 81559 * MIB, powerWatts: 72.63 },
    ]);
  });

  it('keeps N/A and [Not Supported] fields as null, CRLF and blank lines included', () => {
    const two = parseNvidiaSmi(TWO_GPUS);
    expect(two).toHaveLength(2);
    expect(two[0]).toMatchObject({ utilizationRatio: 0.97, temperatureC: 81, powerWatts: 612.5 });
    expect(two[1]).toMatchObject({ index: 1, utilizationRatio: null, temperatureC: 45, memoryUsedBytes: 0, powerWatts: null });
    const ns = parseNvidiaSmi(NOT_SUPPORTED);
    expect(ns).toHaveLength(1);
    expect(ns[0]).toMatchObject({ utilizationRatio: 0.12, powerWatts: null, memoryTotalBytes: 6144 * MIB });
  });

  it('skips garbage lines', () => {
    expect(parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n')).toEqual([]);
    expect(parseNvidiaSmi('')).toEqual([]);
  });
});

describe('parseRocmSmi', () => {
  it('reads the JSON output by key names', () => {
    expect(parseRocmSmi(ROCM)).toEqual([
      { index: 0, vendor: 'amd', utilizationRatio: 0.87, temperatureC: 71, memoryUsedBytes: 1073741824, memoryTotalBytes: 68702699520, powerWatts: 301 },
    ]);
    expect(parseRocmSmi('not json')).toEqual([]);
  });
});

describe('GpuProbe', () => {
  it('runs nvidia-smi with the documented arguments and no shell', async () => {
    const calls: Array<[string, readonly string[], number]> = [];
    const exec: ExecFn = async (file, args, o) => {
      calls.push([file, args, o.timeoutMs]);
      return H100;
    };
    const { logger } = captureLogger();
    const probe = new GpuProbe({ timeoutMs: 1234 }, { logger, exec });
    expect(await probe.sample()).toHaveLength(1);
    expect(await probe.sample()).toHaveLength(1);
    expect(calls).toEqual([
      ['nvidia-smi', NVIDIA_SMI_ARGS, 1234],
      ['nvidia-smi', NVIDIA_SMI_ARGS, 1234],
    ]);
    expect(probe.vendor).toBe('nvidia');
  });

  it('falls back to rocm-smi, and without either says so once and stops trying', async () => {
    const { logger, lines } = captureLogger();
    let calls = 0;
    const missing: ExecFn = async () => {
      calls++;
      throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    };
    const probe = new GpuProbe({ timeoutMs: 100 }, { logger, exec: missing });
    for (let i = 0; i < 5; i++) expect(await probe.sample()).toEqual([]);
    expect(calls).toBe(2);
    expect(lines.filter((l) => l['level'] === 'info' && String(l['msg']).includes('no gpu'))).toHaveLength(1);

    const amd = new GpuProbe(
      { timeoutMs: 100 },
      {
        logger,
        exec: async (f) => {
          if (f === 'nvidia-smi') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
          return ROCM;
        },
      },
    );
    expect((await amd.sample())[0]?.vendor).toBe('amd');
  });

  it('warns once when a working tool starts failing and says when it recovers', async () => {
    const { logger, lines } = captureLogger();
    let fail = false;
    const probe = new GpuProbe(
      { timeoutMs: 100 },
      {
        logger,
        exec: async () => {
          if (fail) throw Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
          return H100;
        },
      },
    );
    await probe.sample();
    fail = true;
    for (let i = 0; i < 4; i++) expect(await probe.sample()).toEqual([]);
    fail = false;
    expect(await probe.sample()).toHaveLength(1);
    expect(lines.filter((l) => l['msg'] === 'gpu query failed')).toHaveLength(1);
    expect(lines.filter((l) => l['msg'] === 'gpu query recovered')).toHaveLength(1);
  });

  it('really runs commands through execFile, killing one that hangs past the timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpuprobe-'));
    const fake = join(dir, 'nvidia-smi');
    writeFileSync(fake, '#!/bin/sh\necho "55, 66, 100, 200, 30.5"\n', { mode: 0o755 });
    const { logger, lines } = captureLogger();
    const ok = new GpuProbe({ timeoutMs: 2000, nvidiaSmi: fake }, { logger });
    expect(await ok.sample()).toEqual([
      { index: 0, vendor: 'nvidia', utilizationRatio: 0.55, temperatureC: 66, memoryUsedBytes: 100 * MIB, memoryTotalBytes: 200 * MIB, powerWatts: 30.5 },
    ]);

    const hang = join(dir, 'hang-smi');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const probe = new GpuProbe({ timeoutMs: 300, nvidiaSmi: hang, rocmSmi: join(dir, 'absent') }, { logger });
    const t0 = Date.now();
    expect(await probe.sample()).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(probe.vendor).toBe('none');
    expect(lines.some((l) => String(l['msg']).includes('no gpu'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
