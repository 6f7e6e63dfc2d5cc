import { describe, expect, it } from 'vitest';
import { toPermission } from './client-types.js';

describe('toPermission', () => {
  it('keeps the finer role_name when it agrees with permission on write access', () => {
    expect(toPermission({ permission: 'write', role_name: 'maintain' })).toEqual({
      permission: 'maintain',
      role_name: 'maintain',
      found: true,
    });
    expect(toPermission({ permission: 'read', role_name: 'triage' }).permission).toBe('triage');
    expect(toPermission({ permission: 'admin', role_name: 'admin' }).permission).toBe('admin');
  });

  it('never lets role_name grant more than permission does', () => {
    expect(toPermission({ permission: 'read', role_name: 'admin' }).permission).toBe('read');
    expect(toPermission({ permission: 'none', role_name: 'write' }).permission).toBe('none');
  });

  it('falls back to permission for custom roles, and to none for anything unknown', () => {
    expect(toPermission({ permission: 'write', role_name: 'release-manager' })).toEqual({
      permission: 'write',
      role_name: 'release-manager',
      found: true,
    });
    expect(toPermission({ role_name: 'admin' }).permission).toBe('none');
    expect(toPermission({ permission: 'superuser' }).permission).toBe('none');
    expect(toPermission({}).permission).toBe('none');
  });
});
