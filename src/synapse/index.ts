export type {
  CacheOutcome,
  CachePolicy,
  ExecuteResult,
  RequestContext,
  SynapseBody,
  SynapseExecutor,
  SynapseHandler,
} from './synapseHandler.js';
export { SynapseRegistry } from './synapseRegistry.js';
export { PriorityScheduler, type PrioritySchedulerModules, type PrioritySchedulerOpts } from './priorityScheduler.js';
