/**
 * sandbox: what an agent may touch and how that is enforced — the `SandboxMode`/`SandboxSpec`
 * model, a bubblewrap argv builder, a host capability probe that refuses (never downgrades) a mode
 * it cannot enforce, environment sanitising for agent processes and model-requested commands, and
 * path guards that keep file tools inside the worktree. Depends only on core.
 */
export * from './spec.js';
export * from './env.js';
export * from './paths.js';
export * from './probe.js';
export * from './bwrap.js';
