import { createHash } from 'node:crypto';

/**
 * The INDX request signature: Base64(SHA256(`Login;Password;Culture;Wmid`)), sent with every
 * call. It is derived from the password and valid for that WMID and culture, so it is as secret
 * as the password: it must never reach an error message or a log.
 *
 * @example indxSignature('login', 'password', 'en-EN', '123456789012') // Base64 of SHA256('login;password;en-EN;123456789012')
 */
export function indxSignature(login: string, password: string, culture: string, wmid: string): string {
  return createHash('sha256').update(`${login};${password};${culture};${wmid}`, 'utf8').digest('base64');
}
