import { MinerError } from '../util/index.js';
import type { SynapseHandler } from './synapseHandler.js';

/** Name -> handler; the axon answers 404 for anything not registered here. */
export class SynapseRegistry {
  private readonly handlers = new Map<string, SynapseHandler>();

  // biome-ignore lint/suspicious/noExplicitAny: a handler of any input and output types registers; the registry only routes by name.
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
