export type {
  CacheOutcome, CachePolicy, ExecuteResult, RequestContext, SynapseBody, SynapseExecutor, SynapseHandler,
} from './synapseHandler.js';
export { SynapseRegistry } from './synapseRegistry.js';
export { PriorityScheduler, registerQueueDepthGauge, type PrioritySchedulerOpts } from './priorityScheduler.js';
