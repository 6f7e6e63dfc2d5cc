import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SCRIPTED_CODEX_KEY_ENV,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  writeScriptedCodexHome,
  type RecordedRequest,
  type ScriptedServer,
} from '@harness/testkit';
import {
  AnthropicApiAdapter,
  ClaudeAdapter,
  CodexAdapter,
  type AgentEvent,
  type TurnSkills,
} from '../../src/agents/index.js';
import {
  claudeBin,
  cleanupTempDirs,
  codexBin,
  collect,
  git,
  hasClaude,
  hasCodex,
  limits,
  makeRepo,
  ofType,
  spec,
  tempDir,
  terminalOf,
} from './helpers.js';

/**
 * The skills a turn is given reach the real agent CLIs the way each loads skills natively, from a
 * per-run copy outside the worktree: the CLI reports them, the model's requests name them and carry
 * the activated skill's body, each use is an event, and nothing is left behind.
 */

const DEPLOY_DESCRIPTION = 'Checks a deployment manifest before release (deploy-marker-7f3a)';
const DEPLOY_BODY = 'Run the manifest checker and read references/checklist.md (deploy-body-91c2).';
const NOTES_DESCRIPTION = 'Writes release notes in the house style (notes-marker-2b8e)';
const NOTES_BODY = 'Release notes list every user-visible change first (notes-body-55d1).';

/** A SKILL.md folder with a resource file and a flat `.md` skill of the original format. */
function plantSkills(): TurnSkills {
  const root = tempDir('skill-src');
  const folder = path.join(root, '.agents', 'skills', 'deploy-check');
  mkdirSync(path.join(folder, 'references'), { recursive: true });
  writeFileSync(
    path.join(folder, 'SKILL.md'),
    `---\nname: deploy-check\ndescription: ${DEPLOY_DESCRIPTION}\nlicense: MIT\n---\n\n${DEPLOY_BODY}\n`,
  );
  writeFileSync(path.join(folder, 'references', 'checklist.md'), '- manifest valid\n');
  const flat = path.join(root, 'release-notes.md');
  writeFileSync(flat, `<!-- trigger-patterns: release, changelog -->\n# Release notes\n\n${NOTES_BODY}\n`);
  return {
    catalogue: [
      { name: 'deploy-check', description: DEPLOY_DESCRIPTION, file: path.join(folder, 'SKILL.md') },
      { name: 'release-notes', description: NOTES_DESCRIPTION, file: flat },
    ],
    activate: ['release-notes'],
  };
}

function bodyOf(request: RecordedRequest): string {
  return JSON.stringify(request.body);
}

/** The per-run skill directories still present under this test's TMPDIR. */
function leftoverSkillDirs(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('harness-skills-'));
}

function skillUses(events: AgentEvent[]): { skill: string; activation: string }[] {
  return ofType(events, 'skill_used').map(({ skill, activation }) => ({ skill, activation }));
}

let tmp: string;
let previousTmp: string | undefined;
const servers: ScriptedServer[] = [];

beforeAll(() => {
  // Per-run directories are made under TMPDIR: a private one shows that each is removed.
  previousTmp = process.env.TMPDIR;
  tmp = tempDir('skills-tmp');
  process.env.TMPDIR = tmp;
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => {
  if (previousTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmp;
  cleanupTempDirs();
});

describe.skipIf(!hasClaude)('skills through Claude Code', () => {
  it.each(['danger-full-access', 'workspace-write'] as const)(
    'loads the skills as a per-run plugin, gives the activated one up front and reports each use (%s)',
    async (mode) => {
      const repo = makeRepo();
      const skills = plantSkills();
      const server = await startScriptedAnthropicServer([
        { tool_calls: [{ name: 'Skill', input: { skill: 'harness:deploy-check' } }] },
        { text: 'Checked.' },
      ]);
      servers.push(server);
      const adapter = new ClaudeAdapter({
        cliPath: claudeBin,
        home: tempDir('claude-home'),
        env: scriptedClaudeEnv(server.baseUrl),
      });
      const events = await collect(
        adapter.startTurn({
          prompt: 'check the deploy',
          cwd: repo,
          sandbox: spec(repo, mode),
          limits,
          skills,
        }),
      );
      expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'Checked.' });

      // Claude Code's own report: its init message lists the plugin's skills.
      const loaded = ofType(events, 'skills_loaded')[0]?.skills ?? [];
      expect(loaded).toEqual(expect.arrayContaining(['harness:deploy-check', 'harness:release-notes']));
      expect(skillUses(events)).toEqual([
        { skill: 'release-notes', activation: 'explicit' },
        { skill: 'deploy-check', activation: 'model' },
      ]);
      expect(ofType(events, 'skill_used')[1]?.file).toBe(skills.catalogue[0]?.file);

      const [first, second] = server.script.requests.filter((r) => r.turn !== null);
      if (first === undefined || second === undefined) throw new Error('expected two model requests');
      // The catalogue (both descriptions) and the activated body are in the first request.
      expect(bodyOf(first)).toContain('deploy-marker-7f3a');
      expect(bodyOf(first)).toContain('notes-marker-2b8e');
      expect(bodyOf(first)).toContain('notes-body-55d1');
      expect(bodyOf(first)).not.toContain('deploy-body-91c2');
      // The body of the skill the model opened arrives only once it is opened.
      expect(bodyOf(second)).toContain('deploy-body-91c2');

      expect(git(repo, 'status', '--porcelain')).toBe('');
      expect(leftoverSkillDirs(tmp)).toEqual([]);
    },
  );
});

/** Where Codex's skills section says deploy-check's SKILL.md is, the root alias expanded. */
function deployCheckFile(request: string): string | null {
  const alias = /\(file: (r\d+)\/deploy-check\/SKILL\.md\)/.exec(request)?.[1];
  if (alias === undefined) return null;
  const root = new RegExp(`- \`${alias}\` = \`([^\`]+)\``).exec(request)?.[1];
  return root === undefined ? null : path.join(root, 'deploy-check', 'SKILL.md');
}

describe.skipIf(!hasCodex)('skills through Codex', () => {
  it.each(['danger-full-access', 'workspace-write'] as const)(
    'adds the skills as an extra root of this process, gives the activated one as a skill input and sees the model read one (%s)',
    async (mode) => {
      const repo = makeRepo();
      const skills = plantSkills();
      const server = await startScriptedOpenAiServer();
      servers.push(server);
      // The model reads the SKILL.md its skills section lists (`rN/deploy-check/SKILL.md`, with the
      // alias `rN` expanded from the section's skill roots), then answers.
      server.script.respondWith((body) => {
        const text = JSON.stringify(body);
        if (text.includes('function_call_output')) return { text: 'Checked.' };
        const file = deployCheckFile(text);
        if (file === null) return { text: 'no deploy-check skill in the request' };
        return { tool_calls: [{ name: 'exec_command', input: { cmd: `cat ${file}` } }] };
      });
      const codexHome = tempDir('codex-home');
      writeScriptedCodexHome(codexHome, server.baseUrl);
      const configBefore = readFileSync(path.join(codexHome, 'config.toml'), 'utf8');
      const adapter = new CodexAdapter({
        cliPath: codexBin,
        codexHome,
        home: tempDir('codex-user-home'),
        env: { [SCRIPTED_CODEX_KEY_ENV]: 'dummy' },
      });
      const events = await collect(
        adapter.startTurn({
          prompt: 'check the deploy',
          cwd: repo,
          sandbox: spec(repo, mode),
          limits,
          skills,
        }),
      );
      expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'Checked.' });

      // Codex's own listing for the worktree names both skills.
      const loaded = ofType(events, 'skills_loaded')[0]?.skills ?? [];
      expect(loaded).toEqual(expect.arrayContaining(['deploy-check', 'release-notes']));
      expect(skillUses(events)).toEqual([
        { skill: 'release-notes', activation: 'explicit' },
        { skill: 'deploy-check', activation: 'model' },
      ]);
      const command = ofType(events, 'command')[0];
      expect(command?.output).toContain('deploy-body-91c2');

      const [first] = server.script.requests.filter((r) => r.url.includes('/responses'));
      if (first === undefined) throw new Error('expected a model request');
      // The skills section names both skills; the activated skill's body is injected whole.
      expect(bodyOf(first)).toContain('deploy-marker-7f3a');
      expect(bodyOf(first)).toContain('notes-marker-2b8e');
      expect(bodyOf(first)).toContain('notes-body-55d1');
      expect(bodyOf(first)).not.toContain('deploy-body-91c2');

      expect(git(repo, 'status', '--porcelain')).toBe('');
      expect(leftoverSkillDirs(tmp)).toEqual([]);
      // The extra root was for this process only: the user's config is as it was.
      expect(readFileSync(path.join(codexHome, 'config.toml'), 'utf8')).toBe(configBefore);
    },
  );
});

describe('skills through the Anthropic API adapter', () => {
  it('puts the catalogue in the system prompt, the activated body up front, and opens a skill with open_skill', async () => {
    const repo = makeRepo();
    const skills = plantSkills();
    const server = await startScriptedAnthropicServer([
      { tool_calls: [{ name: 'open_skill', input: { name: 'deploy-check' } }] },
      { tool_calls: [{ name: 'open_skill', input: { name: '../escape' } }] },
      { text: 'Checked.' },
    ]);
    servers.push(server);
    const adapter = new AnthropicApiAdapter({
      baseUrl: server.baseUrl,
      apiKey: 'scripted-dummy-key',
      maxRetries: 0,
      sessionDir: tempDir('api-sessions'),
    });
    const events = await collect(
      adapter.startTurn({
        prompt: 'check the deploy',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
        skills,
      }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'Checked.' });
    expect(skillUses(events)).toEqual([
      { skill: 'release-notes', activation: 'explicit' },
      { skill: 'deploy-check', activation: 'model' },
    ]);
    const results = ofType(events, 'tool_result');
    expect(results[0]).toMatchObject({ is_error: false });
    expect(results[0]?.output).toContain('deploy-body-91c2');
    expect(results[0]?.output).not.toContain('description:');
    expect(results[1]).toMatchObject({ is_error: true });
    expect(results[1]?.output).toContain('no skill named "../escape"');

    const [first] = server.script.requests.filter((r) => r.turn !== null);
    const body = first?.body as { system: string; tools: { name: string; input_schema: unknown }[] };
    expect(body.system).toContain(`- deploy-check: ${DEPLOY_DESCRIPTION}`);
    expect(body.system).toContain(`- release-notes: ${NOTES_DESCRIPTION}`);
    expect(body.system).toContain('notes-body-55d1');
    expect(body.system).not.toContain('deploy-body-91c2');
    const tool = body.tools.find((t) => t.name === 'open_skill');
    expect(tool?.input_schema).toMatchObject({
      properties: { name: { enum: ['deploy-check', 'release-notes'] } },
    });
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('leaves out a skill whose name could escape its folder, and says so', async () => {
    const repo = makeRepo();
    const skills = plantSkills();
    const evil = { name: '../evil', description: 'escapes', file: skills.catalogue[0]?.file ?? '' };
    const server = await startScriptedAnthropicServer([{ text: 'Done.' }]);
    servers.push(server);
    const adapter = new AnthropicApiAdapter({
      baseUrl: server.baseUrl,
      apiKey: 'scripted-dummy-key',
      maxRetries: 0,
      sessionDir: tempDir('api-sessions'),
    });
    const events = await collect(
      adapter.startTurn({
        prompt: 'go',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
        skills: { catalogue: [...skills.catalogue, evil], activate: ['missing-one'] },
      }),
    );
    const warnings = ofType(events, 'warning').map((w) => w.message);
    expect(warnings).toEqual([
      expect.stringContaining('"../evil"') as string,
      expect.stringContaining('"missing-one" to activate is not among') as string,
    ]);
    expect(warnings[0]).toContain('could escape the skills folder');
    const body = server.script.requests.find((r) => r.turn !== null)?.body as { system: string };
    expect(body.system).not.toContain('escapes');
  });
});
