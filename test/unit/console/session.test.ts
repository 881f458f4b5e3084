import { describe, expect, it } from 'vitest';
import { accessOf, clearSession, type KeyValueStorage, loadSession, SESSION_KEY, saveSession } from '../../../console/src/session';

function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

const now = new Date('2026-12-07T05:00:00Z');
const session = { token: 't', sub: 'alice', roles: ['compliance'], expiresAt: '2026-12-07T06:00:00Z' };

describe('the console session', () => {
  it('is kept under recon.session and read back while the token is valid', () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    expect(JSON.parse(storage.items.get(SESSION_KEY) ?? '')).toEqual(session);
    expect(loadSession(storage, now)).toEqual(session);
  });

  it('is gone once the token has expired, so the person signs in again', () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    expect(loadSession(storage, new Date('2026-12-07T06:00:00Z'))).toBeUndefined();
    expect(storage.items.has(SESSION_KEY)).toBe(false);
  });

  it('is no session when what is stored is not one', () => {
    const storage = memoryStorage();
    storage.setItem(SESSION_KEY, '{not json');
    expect(loadSession(storage, now)).toBeUndefined();
    storage.setItem(SESSION_KEY, JSON.stringify({ token: 't' }));
    expect(loadSession(storage, now)).toBeUndefined();
    storage.setItem(SESSION_KEY, JSON.stringify({ ...session, expiresAt: 'soon' }));
    expect(loadSession(storage, now)).toBeUndefined();
  });

  it('is forgotten on sign-out', () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    clearSession(storage);
    expect(loadSession(storage, now)).toBeUndefined();
  });
});

describe('accessOf', () => {
  const names = { read: 'compliance-read', act: 'compliance' };
  it('offers acting to the act role, reading to the read role, nothing to others', () => {
    expect(accessOf(['compliance'], names)).toBe('act');
    expect(accessOf(['compliance-read'], names)).toBe('read');
    expect(accessOf(['compliance-read', 'compliance'], names)).toBe('act');
    expect(accessOf(['admins'], names)).toBe('none');
  });
});
