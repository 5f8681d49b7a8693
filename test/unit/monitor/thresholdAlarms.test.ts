import { describe, expect, it } from 'vitest';
import { Registry, Gauge } from 'prom-client';
import { ThresholdAlarms } from '../../../src/monitor/index.js';
import { captureLogger } from './fixtures.js';

describe('ThresholdAlarms', () => {
  it('warns once when crossed and informs once when recovered, with hysteresis', async () => {
    const { logger, lines } = captureLogger();
    const registry = new Registry();
    const gauge = new Gauge({ name: 'a', help: 'a', labelNames: ['alarm'], registers: [registry] });
    const alarms = new ThresholdAlarms([{ name: 'gpu_temperature', threshold: 80, unit: 'celsius' }], { hysteresisRatio: 0.05 }, { logger, gauge });
    const series = [70, 79, 81, 85, 90, 79, 77, 81, 75.5, 70, 60, 80.5, 82];
    const transitions = series.map((v) => alarms.update('gpu_temperature', v));
    expect(transitions).toEqual([null, null, 'crossed', null, null, null, null, null, 'recovered', null, null, 'crossed', null]);
    const warns = lines.filter((l) => l['msg'] === 'threshold crossed');
    const infos = lines.filter((l) => l['msg'] === 'threshold recovered');
    expect(warns).toHaveLength(2);
    expect(infos).toHaveLength(1);
    expect(warns[0]).toMatchObject({ level: 'warn', alarm: 'gpu_temperature', value: 81, threshold: 80, unit: 'celsius' });
    expect(infos[0]).toMatchObject({ level: 'info', alarm: 'gpu_temperature', value: 75.5 });
    expect(alarms.activeNames()).toEqual(['gpu_temperature']);
    expect((await gauge.get()).values.find((v) => v.labels['alarm'] === 'gpu_temperature')?.value).toBe(1);
  });

  it('ignores unknown values and unknown alarms', () => {
    const { logger, lines } = captureLogger();
    const alarms = new ThresholdAlarms([{ name: 'disk', threshold: 80, unit: 'percent' }], { hysteresisRatio: 0 }, { logger });
    expect(alarms.update('disk', 95)).toBe('crossed');
    expect(alarms.update('disk', null)).toBeNull();
    expect(alarms.update('disk', Number.NaN)).toBeNull();
    expect(alarms.update('nope', 1e9)).toBeNull();
    expect(alarms.isActive('disk')).toBe(true);
    expect(alarms.update('disk', 79.9)).toBe('recovered');
    expect(lines.filter((l) => String(l['msg']).startsWith('threshold'))).toHaveLength(2);
  });
});
