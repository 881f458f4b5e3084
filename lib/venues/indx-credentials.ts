import { SourceError } from '../ports/source-error';
import type { IndxVenuePort } from '../ports/venues';
import type { Secret } from '../secret';
import type { IndxClient, IndxTraderCredentials } from '../sources/indx/indx-client';
import { type CredentialRef, describeRef } from './credential-ref';
import type { IndxVenueAccount } from './venue-accounts';
import { hasOwnCredentials } from './venue-accounts';

/** Gives the value a reference names (an environment variable, a fetched SSM parameter), or undefined when it is not there. */
export type CredentialReader = (ref: CredentialRef) => Secret | undefined;

/** `INDX_LOGIN`/`INDX_PASSWORD`: the credentials of every trader the mapping gives none of its own (absent when not configured). */
export interface SharedIndxCredentials {
  login?: Secret;
  password?: Secret;
}

/**
 * The credentials a trader signs with: the ones its mapping entry names, read now (so a rotated
 * SSM value or a new variable is used), or the shared ones with the entry's culture.
 *
 * @throws {SourceError} `credentials`, the trader's alone, naming the WMID and the reference that
 * could not be read — never a value.
 * @example traderCredentials({ wmid, login: { env: 'A' }, password: { env: 'B' }, culture: 'ru-RU', … }, {}, read)
 */
export function traderCredentials(
  account: Pick<IndxVenueAccount, 'wmid' | 'login' | 'password' | 'culture'>,
  shared: SharedIndxCredentials,
  read: CredentialReader,
): IndxTraderCredentials {
  const { wmid, culture } = account;
  if (!account.login || !account.password) {
    if (shared.login && shared.password) return { login: shared.login, password: shared.password, culture };
    throw unavailable(wmid, 'the mapping names no credentials of its own and INDX_LOGIN/INDX_PASSWORD are not set');
  }
  const login = readRef(wmid, account.login, read);
  const password = readRef(wmid, account.password, read);
  return { login, password, culture };
}

function readRef(wmid: string, ref: CredentialRef, read: CredentialReader): Secret {
  const value = read(ref);
  if (value) return value;
  const why = 'env' in ref ? 'is not set' : 'was not found, or could not be read';
  throw unavailable(wmid, `${describeRef(ref)} ${why}`);
}

function unavailable(wmid: string, detail: string): SourceError {
  return new SourceError('indx', 'Balance', 'credentials', `WMID ${wmid}: ${detail}`, { scope: 'account' });
}

/**
 * The INDX port of a run: each trader read with its own credentials (or the shared ones), and the
 * probe of `probeWmid` with the shared ones, in the culture its mapping entry gives if it has one.
 */
export function indxVenuePort(
  client: Pick<IndxClient, 'balance'>,
  options: { shared: SharedIndxCredentials; read: CredentialReader; probeWmid?: string; accounts: readonly IndxVenueAccount[] },
): IndxVenuePort {
  const { shared, read, probeWmid, accounts } = options;
  const port: IndxVenuePort = {
    balance: async (account) => client.balance(account.wmid, traderCredentials(account, shared, read)),
  };
  if (probeWmid) {
    const mapped = accounts.find((account) => account.wmid === probeWmid && !hasOwnCredentials(account));
    const culture = mapped?.culture ?? 'en-EN';
    port.probe = async () => client.balance(probeWmid, traderCredentials({ wmid: probeWmid, culture }, shared, read));
  }
  return port;
}

/** Every SSM parameter the mapping names, once each: what the INDX-reading functions fetch. */
export function credentialParameters(accounts: readonly IndxVenueAccount[]): string[] {
  const names = accounts
    .flatMap((account) => [account.login, account.password])
    .flatMap((ref) => (ref && 'parameter' in ref ? [ref.parameter] : []));
  return [...new Set(names)];
}
