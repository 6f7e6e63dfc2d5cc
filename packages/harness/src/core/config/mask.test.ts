import { describe, expect, it } from 'vitest';
import { maskUrlCredentials } from './mask.js';

describe('maskUrlCredentials', () => {
  it('masks the credentials of every URL, however deep, and leaves the rest as it is', () => {
    const settings = {
      git: { remote: 'https://bot:ghp_secret@github.example/acme/app.git', base_branch: 'master' },
      validation: { pre_commit: ['curl -s https://user:pw@host/x', 'npm test'] },
      max_concurrent: 2,
      overlay_file: null,
    };
    expect(maskUrlCredentials(settings)).toEqual({
      git: { remote: 'https://****@github.example/acme/app.git', base_branch: 'master' },
      validation: { pre_commit: ['curl -s https://****@host/x', 'npm test'] },
      max_concurrent: 2,
      overlay_file: null,
    });
    expect(JSON.stringify(maskUrlCredentials(settings))).not.toMatch(/ghp_secret|:pw@/);
  });

  it('masks a user name in a URL too (it may be a token), and leaves scp-style remotes and plain URLs alone', () => {
    expect(maskUrlCredentials('ssh://git@host/repo')).toBe('ssh://****@host/repo');
    expect(maskUrlCredentials('git@github.com:acme/app.git')).toBe('git@github.com:acme/app.git');
    expect(maskUrlCredentials('https://host/repo')).toBe('https://host/repo');
  });
});
