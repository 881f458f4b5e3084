import { writeFileSync } from 'node:fs';
import { parseVenueAccounts, type VenueAccounts } from '../../lib/venues/venue-accounts';
import type { Book } from '../../sandbox/book-types';

/**
 * The venue-account mapping file of a sandbox book (`book.venueMappings` in the format of
 * `docs/venue-accounts.md`): what `config/venue-accounts.sample.json` holds for the default book,
 * and what `npm start` writes for any other size or seed. Traders with their own credentials name
 * the environment variables that hold them (`.env.local` sets them for the local stage), never the values.
 */
export function venueAccountsOfBook(book: Pick<Book, 'venueMappings'>): VenueAccounts {
  const mapping: VenueAccounts = { multimarkets: [], indx: [] };
  const indxByWmid = new Map<string, VenueAccounts['indx'][number]>();
  for (const row of book.venueMappings) {
    if (row.venue === 'multimarkets') {
      const { thirdServerCode, userName, currency, userId, asset } = row;
      mapping.multimarkets.push({ thirdServerCode, userName, currency, userId, asset });
      continue;
    }
    let account = indxByWmid.get(row.wmid);
    if (!account) {
      const { login, password, culture } = row;
      account = { wmid: row.wmid, userId: row.userId, wmz: '', ...(login && password && { login, password }), culture, instruments: [] };
      indxByWmid.set(row.wmid, account);
      mapping.indx.push(account);
    }
    if (row.instrumentId === null) account.wmz = row.asset;
    else account.instruments.push({ id: row.instrumentId, name: row.instrument, asset: row.asset });
  }
  return parseVenueAccounts(mapping, 'the sandbox book');
}

/** Writes the mapping of `book` to `path` as the JSON file the functions load. */
export function writeVenueAccountsFile(book: Pick<Book, 'venueMappings'>, path: string): VenueAccounts {
  const mapping = venueAccountsOfBook(book);
  writeFileSync(path, `${JSON.stringify(mapping, null, 2)}\n`);
  return mapping;
}
