/**
 * @harness/protocol: the wire contract of Harness — JSON-RPC 2.0 envelopes and error codes, the
 * method table with zod schemas for params and results, notifications, the domain shapes they
 * carry, and the limits on client JSON (nesting depth, lone surrogates) every transport applies.
 * Runtime-neutral (no Node imports), so the server, the dashboard and clients share it.
 */
export * from './jsonrpc.js';
export * from './types.js';
export * from './methods.js';
export * from './notifications.js';
export * from './tasks.js';
export * from './rules.js';
export * from './json-limits.js';

/** Bumped when a method or notification changes incompatibly. */
export const PROTOCOL_VERSION = '1';
