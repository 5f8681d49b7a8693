import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import type { Logger } from 'pino';
import { MinerError } from '../util/index.js';
import { autoDevices, type DeviceRequest, type DeviceSpec } from './deviceSpec.js';
import type { SessionFactory } from './sessionPool.js';
import { WorkerSession, createLocalSession } from './workerSession.js';

const { onnx } = onnxProto;

/** The highest CUDA ordinal `auto` tries; probing stops at the first ordinal that does not open. */
const MAX_CUDA_PROBE = 16;

export interface SessionTuning {
  intraOpThreads: number;
  interOpThreads: number;
  allowSpinning: boolean;
  cpuMemArena: boolean;
  cuda: { enableMemPattern: boolean; deviceAllocatorForInitializers: boolean };
}

export function defaultSessionFactory(runInWorker: boolean): SessionFactory {
  return (model, options) => {
    // onnxruntime's process-wide logger would print its own copy of a CUDA load failure on
    // stderr; the engine logs it once, through pino, instead.
    ort.env.logLevel = 'fatal';
    return runInWorker ? WorkerSession.create(model, options) : createLocalSession(model, options);
  };
}

/** Session options for one device; `cpuThreads` is that device's share of the intra-op threads. */
export function sessionOptionsFor(spec: DeviceSpec, t: SessionTuning, cpuThreads: number | undefined): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  const session: Record<string, unknown> = {};
  // Spinning threads burn a shared CPU while waiting; the latency they save is small next to a run.
  if (!t.allowSpinning) Object.assign(session, { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } });
  if (spec.kind === 'cuda') {
    o.executionProviders = [{ name: 'cuda', deviceId: spec.cudaId }, 'cpu'];
    o.enableMemPattern = t.cuda.enableMemPattern;
    if (t.cuda.deviceAllocatorForInitializers) session['use_device_allocator_for_initializers'] = '1';
    if (t.intraOpThreads > 0) o.intraOpNumThreads = t.intraOpThreads;
  } else {
    o.executionProviders = ['cpu'];
    o.enableCpuMemArena = t.cpuMemArena;
    if (cpuThreads !== undefined) o.intraOpNumThreads = cpuThreads;
  }
  if (t.interOpThreads > 0) o.interOpNumThreads = t.interOpThreads;
  if (Object.keys(session).length > 0) o.extra = { session };
  return o;
}

/** A one-node graph: creating a session with it opens the device and little else. */
function probeModel(): Uint8Array {
  const info = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } } },
    });
  const graph = onnx.GraphProto.create({
    name: 'probe',
    node: [onnx.NodeProto.create({ opType: 'Identity', input: ['x'], output: ['y'] })],
    input: [info('x')],
    output: [info('y')],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph })).finish();
}

/** Opens cuda:id with a one-node session; resolves with the reason when it cannot. */
async function openCuda(factory: SessionFactory, id: number): Promise<string | undefined> {
  const spec: DeviceSpec = { kind: 'cuda', cudaId: id, label: `cuda:${id}` };
  try {
    const s = await factory(probeModel(), { executionProviders: [{ name: 'cuda', deviceId: id }], logSeverityLevel: 3 }, spec);
    await s.release();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The devices the engine will use. `auto` opens cuda:0, cuda:1, ... until one fails and falls
 * back to the request's CPU lanes (one warning) when none opens; a listed GPU that does not open stops
 * start-up, since the operator asked for it.
 */
export async function resolveDevices(request: DeviceRequest, factory: SessionFactory, log: Logger): Promise<DeviceSpec[]> {
  if (request.mode === 'auto') {
    const ids: number[] = [];
    let reason: string | undefined;
    for (let id = 0; id < MAX_CUDA_PROBE; id++) {
      reason = await openCuda(factory, id);
      if (reason !== undefined) break;
      ids.push(id);
    }
    if (ids.length === 0) log.warn({ reason }, 'CUDA execution provider unavailable, falling back to CPU');
    return autoDevices(ids, request.cpuLanes);
  }
  const cudaIds = [...new Set(request.devices.filter((d) => d.kind === 'cuda').map((d) => d.cudaId))];
  for (const id of cudaIds) {
    const reason = await openCuda(factory, id);
    if (reason === undefined) continue;
    throw new MinerError(
      'MODEL_LOAD_FAILED',
      `${request.source} asks for cuda:${id} but the CUDA execution provider cannot open it (${reason}); ` +
        'run `npm run gpu:install` on a host with an NVIDIA GPU, or list only available devices (or "auto", or "cpu")',
    );
  }
  return request.devices;
}
