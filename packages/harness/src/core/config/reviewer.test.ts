import { describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { parseConfig, type ConfigErrorData } from './index.js';

const file = '/etc/harness/h.toml';

function parse(text: string) {
  return parseConfig(text, file, { env: {}, home: '/home/u', cwd: '/' });
}

function issues(text: string): ConfigErrorData['issues'] {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    return ((error as HarnessError).data as ConfigErrorData).issues;
  }
  throw new Error('expected a config error');
}

describe('reviewer must differ from the implementing agent', () => {
  it('rejects agents.default_agent equal to agents.review.reviewer_agent', () => {
    expect(issues('[agents]\ndefault_agent = "codex"\n[agents.review]\nreviewer_agent = "codex"\n')).toEqual([
      {
        path: 'agents.default_agent',
        message:
          '"codex" is also the reviewer (agents.review.reviewer_agent) ' +
          '(expected a reviewer different from the implementing agent, or "auto")',
      },
    ]);
  });

  it('rejects it even with review disabled: the configuration says the author reviews itself', () => {
    const found = issues(
      '[agents]\ndefault_agent = "claude"\n[agents.review]\nenabled = false\nreviewer_agent = "claude"\n',
    );
    expect(found.map((i) => i.path)).toEqual(['agents.default_agent']);
  });

  it('rejects a project agent equal to the global reviewer', () => {
    const found = issues(
      '[agents.review]\nreviewer_agent = "codex"\n[[projects]]\nname = "a"\nroot = "/a"\ndefault_agent = "codex"\n',
    );
    expect(found).toEqual([
      {
        path: 'projects[0].default_agent',
        message: expect.stringContaining('"codex" is also the reviewer (agents.review.reviewer_agent)'),
      },
    ]);
  });

  it('rejects a project reviewer equal to the global agent', () => {
    const text =
      '[agents]\ndefault_agent = "claude"\n[[projects]]\nname = "a"\nroot = "/a"\nreviewer_agent = "claude"\n';
    expect(issues(text)).toEqual([
      {
        path: 'projects[0].reviewer_agent',
        message: expect.stringContaining('"claude" is also the implementing agent (agents.default_agent)'),
      },
    ]);
  });

  it('reports a global conflict once, not again for each project that inherits it', () => {
    const text =
      '[agents]\ndefault_agent = "codex"\n[agents.review]\nreviewer_agent = "codex"\n[[projects]]\nname = "a"\nroot = "/a"\n[[projects]]\nname = "b"\nroot = "/b"\n';
    expect(issues(text).map((i) => i.path)).toEqual(['agents.default_agent']);
  });

  it('accepts "auto" on either side and distinct agents', () => {
    expect(() =>
      parse('[agents]\ndefault_agent = "auto"\n[agents.review]\nreviewer_agent = "auto"\n'),
    ).not.toThrow();
    expect(() => parse('[agents]\ndefault_agent = "claude"\n')).not.toThrow();
    expect(() =>
      parse(
        '[agents]\ndefault_agent = "codex"\n[agents.review]\nreviewer_agent = "codex"\n[[projects]]\nname = "a"\nroot = "/a"\nreviewer_agent = "claude"\n',
      ),
    ).toThrow(/agents\.default_agent/);
  });

  it('a project overriding both sides only answers for itself', () => {
    const text =
      '[[projects]]\nname = "a"\nroot = "/a"\ndefault_agent = "claude"\nreviewer_agent = "anthropic_api"\n';
    expect(parse(text).projects[0]).toMatchObject({
      default_agent: 'claude',
      reviewer_agent: 'anthropic_api',
    });
  });
});

describe('agents that are switched off', () => {
  it('rejects a reviewer whose section has enabled = false while review is enabled', () => {
    expect(issues('[agents.codex]\nenabled = false\n[agents.review]\nreviewer_agent = "codex"\n')).toEqual([
      {
        path: 'agents.review.reviewer_agent',
        message:
          'reviewer "codex" has [agents.codex] enabled = false while review is enabled (expected an enabled agent or "auto")',
      },
    ]);
  });

  it('accepts a disabled reviewer when review is off', () => {
    expect(() => parse('[agents.codex]\nenabled = false\n[agents.review]\nenabled = false\n')).not.toThrow();
  });

  it('rejects a default agent that is disabled, globally and per project', () => {
    const text =
      '[agents]\ndefault_agent = "anthropic_api"\n[agents.anthropic_api]\nenabled = false\n' +
      '[[projects]]\nname = "a"\nroot = "/a"\ndefault_agent = "anthropic_api"\n';
    expect(issues(text).map((i) => i.path)).toEqual(['agents.default_agent', 'projects[0].default_agent']);
  });
});
