import { MinerError } from '../util/index.js';
import type { SynapseBody, SynapseHandler } from './synapse.js';

/** Name -> handler; the axon answers 404 for anything not registered here. */
export class SynapseRegistry {
  private readonly handlers = new Map<string, SynapseHandler>();

  register(handler: SynapseHandler<any, any>): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(handler.name)) {
      throw new MinerError('CONFIG_INVALID', `invalid synapse name ${JSON.stringify(handler.name)}`);
    }
    if (this.handlers.has(handler.name)) {
      throw new MinerError('CONFIG_INVALID', `synapse ${handler.name} registered twice`);
    }
    this.handlers.set(handler.name, handler);
  }

  get(name: string): SynapseHandler | undefined {
    return this.handlers.get(name);
  }

  names(): string[] {
    return [...this.handlers.keys()];
  }
}

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
