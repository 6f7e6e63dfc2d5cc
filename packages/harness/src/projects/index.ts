/**
 * projects: the registry of projects Harness works on — those of the config file and those
 * registered at run time — with each one's effective settings (concurrency, agents, validation).
 * May depend on core and store; never on server or cli.
 */
export { type ProjectInput, ProjectRegistry } from './project-registry.js';
