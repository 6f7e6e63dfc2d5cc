/**
 * core: what every other module stands on — errors, ids, ports (logger, clock, processes, git),
 * process groups that end with the server, paths and the configuration schema. Depends on nothing
 * but @harness/protocol.
 */
export * from './errors.js';
export * from './ids.js';
export * from './clock.js';
export * from './logger.js';
export * from './paths.js';
export * from './version.js';
export * from './process-runner.js';
export * from './process-groups.js';
export * from './process-tree.js';
export * from './git.js';
export * from './config/index.js';
