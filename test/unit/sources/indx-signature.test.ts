import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { indxSignature } from '../../../lib/sources/indx/signature';

const sha256Base64 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

describe('indxSignature', () => {
  it("reproduces the document's vector: SHA256 of 1234567890AaBb in Base64", () => {
    expect(sha256Base64('1234567890AaBb')).toBe('Q+ylxnY9VUUqgEalgyEQS9oD2WgOgzA6LofVvjYPhFQ=');
  });

  it('hashes Login;Password;Culture;Wmid, joined with semicolons in that order', () => {
    // The second value was computed independently: printf 'login;pass;en-EN;123456789012' | openssl dgst -sha256 -binary | base64
    expect(indxSignature('12345', '67890', 'Aa', 'Bb')).toBe(sha256Base64('12345;67890;Aa;Bb'));
    expect(indxSignature('login', 'pass', 'en-EN', '123456789012')).toBe('6lynY/SK6wd5nmJaOHVUYB8TzqV0fozvcmz2JJrWq1k=');
  });

  it('changes when the culture changes, so a signature is valid for one culture only', () => {
    expect(indxSignature('l', 'p', 'en-EN', '123456789012')).not.toBe(indxSignature('l', 'p', 'ru-RU', '123456789012'));
  });
});
