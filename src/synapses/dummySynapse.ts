import { MinerError } from '../util/index.js';
import { SynapseRegistry, type SynapseBody, type SynapseHandler } from '../synapse/index.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER / 2;

/** The subnet template's Dummy synapse: dummy_output = dummy_input * 2. */
export class DummySynapse implements SynapseHandler<number, SynapseBody> {
  readonly name = 'Dummy';
  readonly inputFields = ['dummy_input'] as const;
  readonly modelId = 'dummy-v1';

  parseInput(body: SynapseBody): number {
    const v = body['dummy_input'];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || Math.abs(v) > MAX_SAFE) {
      throw new MinerError('BAD_REQUEST', 'Bad Request: dummy_input must be an integer');
    }
    return v;
  }

  async handle(input: number): Promise<SynapseBody> {
    return { dummy_output: input * 2 };
  }
}

export function dummySynapse(): DummySynapse {
  return new DummySynapse();
}

/** A registry holding the built-in synapses. */
export function defaultSynapseRegistry(): SynapseRegistry {
  const reg = new SynapseRegistry();
  reg.register(new DummySynapse());
  return reg;
}
