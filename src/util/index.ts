export * from './errors.js';
export * from './clock.js';
export * from './service.js';
export * from './logger.js';
export * from './modules.js';
export * from './observer.js';
