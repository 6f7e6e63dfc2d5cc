import path from 'node:path';
import { z } from 'zod';
import { ErrorCodes, HarnessError } from '../errors.js';
import { expandHome } from '../paths.js';

/**
 * Field builders for the config schemas. Every leaf carries its own "expected …" text so that an
 * error reads `expected an integer from 1 to 20, got "three"` instead of zod's generic wording, and
 * secret fields never echo the offending value.
 */

export const agentNames = ['claude', 'codex', 'anthropic_api'] as const;
export type AgentName = (typeof agentNames)[number];
export type AgentChoice = AgentName | 'auto';
export const agentChoices = ['auto', ...agentNames] as const;

/** `name` as an agent Harness knows, or an invalid_params error at `agent` that lists the known ones. */
export function requireAgentName(name: string): AgentName {
  const known = agentNames.find((agent) => agent === name);
  if (known !== undefined) return known;
  throw new HarnessError(
    ErrorCodes.invalidParams,
    `agent: unknown agent "${name}" (expected one of ${agentNames.join(', ')})`,
    { data: { path: ['agent'] } },
  );
}

/** Where relative paths and `~` in a config source are resolved. */
export interface PathContext {
  home: string;
  baseDir: string;
}

const maxShown = 60;

/** A short, human rendering of a TOML value for error messages. */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) {
    return value.constructor?.name === 'TomlDate' ? 'a date' : 'a table';
  }
  if (secret) return typeof value === 'string' ? 'a string (value hidden)' : `a ${typeof value}`;
  if (typeof value === 'string') {
    const shown = value.length > maxShown ? `${value.slice(0, maxShown)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

type ErrorParams = { error: (issue: { input?: unknown; code?: string }) => string };

/** zod error params that phrase every failure of a field the same way. */
export function expecting(expected: string, secret = false): ErrorParams {
  return {
    error: (issue) =>
      issue.input === undefined
        ? `missing (expected ${expected})`
        : `expected ${expected}, got ${describeValue(issue.input, secret)}`,
  };
}

export function bool() {
  return z.boolean(expecting('true or false'));
}

export function text(expected = 'a non-empty string') {
  const e = expecting(expected);
  return z.string(e).min(1, e);
}

export function secret() {
  const e = expecting('a non-empty string', true);
  return z.string(e).min(1, e).optional();
}

export function int(min: number, max?: number) {
  const expected =
    max === undefined
      ? min === 0
        ? 'a non-negative integer'
        : `an integer >= ${min}`
      : `an integer from ${min} to ${max}`;
  const e = expecting(expected);
  const base = z.int(e).min(min, e);
  return max === undefined ? base : base.max(max, e);
}

/** A finite number; `exclusiveMin` for "greater than" bounds such as costs and ratios. */
export function num(bound: { min?: number; exclusiveMin?: number }) {
  if (bound.exclusiveMin !== undefined) {
    const e = expecting(`a number greater than ${bound.exclusiveMin}`);
    return z.number(e).gt(bound.exclusiveMin, e);
  }
  const min = bound.min ?? 0;
  const e = expecting(min === 0 ? 'a non-negative number' : `a number >= ${min}`);
  return z.number(e).min(min, e);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expecting(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`));
}

/** `[git] deliver`: how a task's work leaves Harness (the same values as a task's `deliver`). */
export const deliverModes = ['auto', 'pull_request', 'branch', 'none'] as const;
export type DeliverModeSetting = (typeof deliverModes)[number];

/** `[validation] guard_severity`: the least severe guard finding that blocks a task, or "off". */
export const guardSeverities = ['critical', 'high', 'medium', 'low', 'off'] as const;
export type GuardSeveritySetting = (typeof guardSeverities)[number];

export function agentChoice() {
  return oneOf(agentChoices);
}

export function agentName() {
  return oneOf(agentNames);
}

export function list<T extends z.ZodType>(item: T, expected: string) {
  return z.array(item, expecting(expected));
}

export function stringList() {
  return list(text(), 'an array of non-empty strings');
}

/** http(s) URLs only: every URL in the config is something we connect to over HTTP. */
export function httpUrl() {
  const e = expecting('an http:// or https:// URL');
  return z.string(e).refine(isHttpUrl, e);
}

/** A PostgreSQL connection URL; its password is never echoed in an error. */
export function databaseUrl() {
  const e = expecting('a postgres:// or postgresql:// URL', true);
  return z.string(e).refine(isDatabaseUrl, e);
}

export function isDatabaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const hostPattern = /^(?:\[[0-9A-Fa-f:.]+(?:%[\w.-]+)?\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

/** `host:port`, with IPv6 hosts in brackets (`[::1]:9800`), port 0–65535. */
export function isHostPort(value: string): boolean {
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return false;
  const host = value.slice(0, colon);
  const port = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return false;
  if (!hostPattern.test(host)) return false;
  return host.startsWith('[') ? z.ipv6().safeParse(host.slice(1, -1).split('%')[0]).success : true;
}

export function hostPort() {
  const e = expecting('host:port such as "127.0.0.1:9800" or "[::1]:9800"');
  return z.string(e).refine(isHostPort, e);
}

/** A web origin, `scheme://host[:port]` with http or https and nothing after (no path, not even `/`). */
export function isWebOrigin(value: string): boolean {
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(value)) return false;
  try {
    return new URL(value).host.length > 0;
  } catch {
    return false;
  }
}

export function webOrigin() {
  const e = expecting('an origin such as "http://127.0.0.1:5173" (scheme://host[:port], no path)');
  return z.string(e).refine(isWebOrigin, e);
}

export function resolvePath(p: string, ctx: PathContext): string {
  return path.resolve(ctx.baseDir, expandHome(p, ctx.home));
}

/** A filesystem path: `~` expanded, relative paths anchored at the config file's directory. */
export function pathField(ctx: PathContext) {
  return text('a non-empty path').transform((p) => resolvePath(p, ctx));
}

/** A command name or path: `~` expanded, but bare names stay bare so PATH lookup still applies. */
export function commandField(ctx: PathContext) {
  return text('a command name or path').transform((p) => expandHome(p, ctx.home));
}

/** A TOML table that rejects keys it does not know. */
export function table<S extends z.core.$ZodLooseShape>(shape: S, name = 'a table') {
  return z.strictObject(shape, expecting(name));
}

/** An optional section: absent means every default. */
export function section<S extends z.core.$ZodLooseShape>(shape: S) {
  // prefault (not default) so the empty table is parsed too and every inner default applies.
  return table(shape).prefault({} as never);
}

/**
 * Harness's own secrets and the provider keys it keeps behind the model gateway: no agent inherits
 * them, and `agents.env_passthrough` may not name them.
 */
export const harnessSecretEnvNames = [
  'HARNESS_API_TOKEN',
  'HARNESS_DATABASE_URL',
  'DATABASE_URL',
  'PGPASSWORD',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_WEBHOOK_SECRET',
  'HARNESS_GITHUB_WEBHOOK_SECRET',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
] as const;

/** An environment variable name an operator shares with agents; never one of Harness's secrets. */
export function passthroughEnvName() {
  const expected = 'an environment variable name (letters, digits and "_")';
  return text(expected)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, expecting(expected))
    .refine((name) => !(harnessSecretEnvNames as readonly string[]).includes(name.toUpperCase()), {
      error: (issue) =>
        `${String(issue.input)} is one of Harness's own secrets and is never given to agents (they reach their model through Harness's gateway instead)`,
    });
}

/** Skill names as Agent Skills has them: 1–64 lowercase letters, digits and single inner hyphens. */
export function skillNames() {
  const name = text('a skill name such as "code-review"').regex(/^(?!-)(?!.*--)[a-z0-9-]{1,64}(?<!-)$/, {
    error: (issue) =>
      `expected a skill name of lowercase letters, digits and single hyphens such as "code-review", got ${JSON.stringify(issue.input)}`,
  });
  return list(name, 'an array of skill names');
}
