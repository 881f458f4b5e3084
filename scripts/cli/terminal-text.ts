/**
 * Server text made safe to print: a note, a name or an error message from the API must not move
 * the cursor, recolour the terminal, set its title, rewrite earlier lines or hide text. Applied to
 * every answer as it is parsed (`api-client.ts`), so tables, `key = value` lines, CSV and `--json`
 * all print the same clean text.
 */

/** Escape sequences: CSI (`ESC [` … final byte, or the C1 `CSI`), OSC/DCS/SOS/PM/APC strings up to BEL or ST, and two-byte `ESC x`. */
const ESCAPE_SEQUENCES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u007e]?/g;
/** What is left of C0 (but newline), DEL and C1 once the sequences are gone. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const SPACING_CONTROLS = /[\t\r\v\f]/g;

/** Which keys of an answer hold text where a newline means something (a note's lines). */
const MULTILINE_KEYS = new Set(['note', 'acknowledgedNote', 'resolvedNote']);

/**
 * Text without escape sequences or control characters: tabs, CR, VT and FF become a space (the
 * words stay apart), other controls are dropped, and newlines are kept only when `newlines` is
 * true (else they too become a space, so one field cannot fake another line).
 * @example terminalText('ok\u001b[2J\u001b]0;pwned\u0007 done\r\nnext') // 'ok done  next'
 */
export function terminalText(text: string, { newlines = false }: { newlines?: boolean } = {}): string {
  const spaced = text.replace(ESCAPE_SEQUENCES, '').replace(SPACING_CONTROLS, ' ');
  const flat = newlines ? spaced : spaced.replaceAll('\n', ' ');
  return flat.replace(CONTROLS, (char) => (char === '\n' ? char : ''));
}

/**
 * A parsed JSON answer with every string, keys included, passed through {@link terminalText};
 * newlines survive only in notes.
 * @example terminalAnswer({ note: 'a\nb', by: 'x\ny' }) // { note: 'a\nb', by: 'x y' }
 */
export function terminalAnswer(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return terminalText(value, { newlines: MULTILINE_KEYS.has(key) });
  if (Array.isArray(value)) return value.map((item) => terminalAnswer(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [terminalText(name), terminalAnswer(item, name)]));
  }
  return value;
}
