import { ConfigError } from '../util/index.js';
import type { SynapseHandler, SynapseRegistry } from '../synapse/index.js';
import type { HttpFormName } from './forms/httpForm.js';

export interface RouteConfig {
  path: string;
  synapse: string;
  forms: readonly HttpFormName[];
}

export interface Route {
  synapse: SynapseHandler;
  forms: readonly HttpFormName[];
}

/** `/Dummy`, `/v1/ocr?x=1` -> `/Dummy`, `/v1/ocr`: routing ignores the query (btauth/1 signs it). */
export function pathOf(target: string | undefined): string {
  if (!target) return '';
  const q = target.indexOf('?');
  return q >= 0 ? target.slice(0, q) : target;
}

/**
 * `POST /<SynapseName>` for every registered synapse, plus the subnet's own routes from
 * config. Checked once at start-up: a route to an unknown synapse, or two routes on one
 * path, stops the daemon with a message naming the key.
 */
export class RouteTable {
  private readonly routes = new Map<string, Route>();

  constructor(synapses: SynapseRegistry, defaultForms: readonly HttpFormName[], extra: readonly RouteConfig[]) {
    for (const name of synapses.names()) this.routes.set(`/${name}`, { synapse: synapses.get(name)!, forms: defaultForms });
    for (const r of extra) {
      const synapse = synapses.get(r.synapse);
      if (!synapse) {
        throw new ConfigError(
          `axon.routes: ${r.path} names synapse ${JSON.stringify(r.synapse)}, which is not served (served: ${synapses.names().join(', ')})`,
        );
      }
      if (this.routes.has(r.path) || r.path === '/ws') throw new ConfigError(`axon.routes: ${r.path} is already a route`);
      this.routes.set(r.path, { synapse, forms: r.forms });
    }
  }

  match(target: string | undefined): Route | undefined {
    const path = pathOf(target);
    // `/Dummy/` is the same synapse route as `/Dummy`, as the Python axon routes it.
    return this.routes.get(path) ?? (path.length > 1 && path.endsWith('/') ? this.routes.get(path.slice(0, -1)) : undefined);
  }

  paths(): string[] {
    return [...this.routes.keys()];
  }
}
