import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { type DiscrepancyAnswer, discrepancyDetailSchema, discrepancyPageSchema } from '../../../lib/api/schemas';
import { signDevToken } from '../../../lib/auth/jwt';

/** The sandbox's ground truth as `GET /__sandbox/manifest` answers it: the planted discrepancies' keys. */
const manifestSchema = z.looseObject({
  planted: z.array(z.looseObject({ check: z.string(), userId: z.string(), asset: z.string() })),
});

/**
 * The API as the tests read it behind the console's back: a token of the act role signed with the local dev key
 * (`.env.local`, the key `npm start` gives the functions), every answer parsed with the contract's schemas.
 */
export class ReconApi {
  readonly #authorization: string;

  constructor(readonly origin: string) {
    const key = process.env.AUTH_DEV_KEY || parseEnv(readFileSync('.env.local', 'utf8')).AUTH_DEV_KEY || '';
    const token = signDevToken({ sub: 'e2e-oracle@localhost', roles: ['compliance'], ttlSeconds: 3600, key });
    this.#authorization = `Bearer ${token}`;
  }

  /** Every discrepancy `GET /discrepancies` answers for `filter`, all pages, in the API's order. */
  async discrepancies(filter: Record<string, string> = {}): Promise<DiscrepancyAnswer[]> {
    const items: DiscrepancyAnswer[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ ...filter, limit: '100', ...(cursor ? { cursor } : {}) });
      const page = discrepancyPageSchema.parse(await this.get(`/discrepancies?${query}`));
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items;
  }

  /** `GET /discrepancies/{id}`: the discrepancy, its history and its chain's verdict. */
  async discrepancy(id: string): Promise<z.infer<typeof discrepancyDetailSchema>> {
    return discrepancyDetailSchema.parse(await this.get(`/discrepancies/${encodeURIComponent(id)}`));
  }

  async get(path: string): Promise<unknown> {
    const answer = await fetch(`${this.origin}${path}`, { headers: { authorization: this.#authorization } });
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
    return answer.json();
  }
}

/** The ids (`check:userId:asset`) of the discrepancies the sandbox planted. */
export async function plantedIds(sandbox: string): Promise<string[]> {
  const answer = await fetch(`${sandbox}/__sandbox/manifest`);
  const { planted } = manifestSchema.parse(await answer.json());
  return planted.map((plant) => `${plant.check}:${plant.userId}:${plant.asset}`);
}

/** Reads CSV as RFC 4180 writes it (quoted fields may hold commas, quotes doubled, CRLF or LF rows) into records by header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') field += text[++index];
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      rows.push([...row, field.replace(/\r$/, '')]);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header = [], ...records] = rows;
  return records.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ''])));
}
