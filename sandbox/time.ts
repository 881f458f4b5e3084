/** Microseconds in one day; timestamps inside the sandbox are integer epoch microseconds. */
export const DAY_US = 86_400_000_000;

const DAY_MS = 86_400_000;
const dayCache = new Map<number, Buffer>();
const ISO = Buffer.alloc(27);
ISO.write('0000-00-00T00:00:00.000000Z', 'latin1');

function putDigits(at: number, value: number, width: number): void {
  let v = value;
  for (let i = at + width - 1; i >= at; i--) {
    ISO[i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
}

/** Formats epoch microseconds as the upstream's ISO shape with six fractional digits, e.g. `2021-06-09T14:24:38.718846Z`. */
export function isoFromMicros(micros: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError(`bad timestamp micros: ${micros}`);
  const day = Math.floor(micros / (DAY_MS * 1000));
  let date = dayCache.get(day);
  if (date === undefined) {
    date = Buffer.from(new Date(day * DAY_MS).toISOString().slice(0, 10), 'latin1');
    if (date.length !== 10) throw new RangeError(`timestamp out of the four-digit-year range: ${micros}`);
    dayCache.set(day, date);
  }
  date.copy(ISO, 0);
  const inDayUs = micros - day * DAY_MS * 1000;
  const seconds = Math.floor(inDayUs / 1_000_000);
  putDigits(11, Math.floor(seconds / 3600), 2);
  putDigits(14, Math.floor((seconds % 3600) / 60), 2);
  putDigits(17, seconds % 60, 2);
  putDigits(20, inDayUs % 1_000_000, 6);
  return ISO.toString('latin1');
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO date or date-time (fraction up to 9 digits, `Z`/offset or none = UTC) to epoch microseconds; undefined when malformed. */
export function parseIsoToMicros(text: string): number | undefined {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const ms = Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3]));
    return validDate(ms, dateOnly[1], dateOnly[2], dateOnly[3]) ? ms * 1000 : undefined;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'));
  if (!validDate(ms, y, mo, d) || Number(h) > 23 || Number(mi) > 59 || Number(s ?? '0') > 59) return undefined;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const micros = Number((frac ?? '').padEnd(6, '0').slice(0, 6));
  return ms * 1000 + micros;
}

/** True when `text` is a date-only ISO string (a `to` bound of that form covers the whole day). */
export function isDateOnly(text: string): boolean {
  return DATE_ONLY.test(text);
}

function validDate(ms: number, y: string | undefined, mo: string | undefined, d: string | undefined): boolean {
  if (Number.isNaN(ms)) return false;
  const date = new Date(ms);
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() + 1 === Number(mo) && date.getUTCDate() === Number(d);
}
