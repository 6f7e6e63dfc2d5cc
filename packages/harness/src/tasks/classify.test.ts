import { describe, expect, it } from 'vitest';
import { classifyTask } from './classify.js';

describe('classifyTask', () => {
  it('calls a typo fix in the README simple, writing, offline, with its reasons', () => {
    const result = classifyTask({ prompt: 'Fix the typo in README.md' });
    expect(result).toEqual({
      complexity: 'simple',
      language: null,
      needs_write: true,
      needs_network: false,
      reasons: [
        'simple: mentions "typo", "readme"',
        'writes: asks to "fix"',
        'no network: nothing to download or fetch',
      ],
    });
  });

  it('defaults to medium when no rule fires, and says so', () => {
    const result = classifyTask({ prompt: 'Make the greeting friendlier' });
    expect(result.complexity).toBe('medium');
    expect(result.reasons[0]).toBe('medium: no rule fired, so the default');
  });

  it('raises a security issue to critical whatever else it says, keeping the lower reasons', () => {
    const result = classifyTask({
      prompt: 'Rename the variable in src/auth/session.ts',
      issue: { number: 12, title: 'Session fixation vulnerability', labels: ['Security'] },
    });
    expect(result.complexity).toBe('critical');
    expect(result.reasons).toContain('critical: mentions "vulnerability"');
    expect(result.reasons).toContain('critical: labelled "security"');
    expect(result.reasons).toContain('also simple: mentions "rename"');
    expect(result.language).toBe('typescript');
  });

  it('calls a refactor across many files complex and finds their language', () => {
    const files = ['a.py', 'b.py', 'pkg/c.py', 'pkg/d.py', 'e.py', 'setup.cfg'];
    const result = classifyTask({ prompt: `Refactor the loader: ${files.join(', ')}` });
    expect(result.complexity).toBe('complex');
    expect(result.reasons.slice(0, 2)).toEqual(['complex: mentions "refactor"', 'complex: names 6 files']);
    expect(result.language).toBe('python');
  });

  it('counts the files a pull request changes and its labels', () => {
    const result = classifyTask({
      prompt: 'Address the review comments',
      pr: { number: 3, labels: ['epic'], files: ['x.go', 'y.go'] },
    });
    expect(result.complexity).toBe('complex');
    expect(result.reasons[0]).toBe('complex: labelled "epic"');
    expect(result.language).toBe('go');
  });

  it('tells a question from a change, and a download from offline work', () => {
    const question = classifyTask({ prompt: 'Explain how the scheduler picks the next task' });
    expect(question.needs_write).toBe(false);
    expect(question.reasons).toContain('read-only: a question or review ("explain")');
    const install = classifyTask({ prompt: 'Run npm install, then the tests' });
    expect(install.needs_network).toBe(true);
    expect(install.reasons).toContain('network: mentions "npm install"');
  });

  it('treats a long description as complex', () => {
    const result = classifyTask({ prompt: `Change the output. ${'More detail here. '.repeat(150)}` });
    expect(result.complexity).toBe('complex');
    expect(result.reasons[0]).toMatch(/^complex: a long description \(\d+ words\)$/);
  });
});
