/** One `NAME=value` assignment of a dotenv-style file, with the line it is on. */
export interface EnvAssignment {
  name: string;
  value: string;
  line: number;
}

/** What a dotenv-style text holds: its assignments in order, and one problem per line it refused. */
export interface ParsedEnvFile {
  assignments: EnvAssignment[];
  problems: string[];
}

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/**
 * Parses a dotenv-style file strictly: blank lines and `#` comments, else `NAME=value` (an
 * `export ` prefix allowed), the value bare (a ` #` starts a comment), in single quotes (literal)
 * or double quotes (`\n`, `\"`, `\\` escapes), on one line. `util.parseEnv` skips a line it cannot
 * read; a file of credentials should instead say which line is wrong. Problems name the line and
 * the variable, never a value: a malformed line may be a secret pasted in the wrong place.
 *
 * @example parseEnvFile('A=1\nB="x y"\n').assignments // [{name:'A',value:'1',line:1},{name:'B',value:'x y',line:2}]
 */
export function parseEnvFile(text: string): ParsedEnvFile {
  const assignments: EnvAssignment[] = [];
  const problems: string[] = [];
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const read = readLine(raw.trim(), index + 1);
    if (typeof read === 'string') problems.push(read);
    else if (read === undefined) return;
    else if (firstLine.has(read.name)) problems.push(`line ${read.line}: ${read.name} is already set on line ${firstLine.get(read.name)}`);
    else {
      firstLine.set(read.name, read.line);
      assignments.push(read);
    }
  });
  return { assignments, problems };
}

/** One trimmed line: its assignment, nothing (blank or comment), or the problem with it. */
function readLine(trimmed: string, line: number): EnvAssignment | string | undefined {
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const match = ASSIGNMENT.exec(trimmed);
  if (!match) return `line ${line}: expected NAME=value (a comment starts with #)`;
  const [, name = '', rest = ''] = match;
  const value = readValue(rest);
  return value === undefined
    ? `line ${line}: ${name}'s value opens a quote that is not closed, or has more than a comment after it`
    : { name, value, line };
}

/** The value of the text after `=`, or undefined when a quote is left open or followed by more than a comment. */
function readValue(rest: string): string | undefined {
  const quote = rest[0];
  if (quote !== '"' && quote !== "'") return rest.replace(/(^|\s+)#.*$/, '').trim();
  const end = closingQuote(rest, quote);
  if (end === -1 || !/^\s*(#.*)?$/.test(rest.slice(end + 1))) return undefined;
  const inner = rest.slice(1, end);
  return quote === "'" ? inner : inner.replace(/\\([n"\\])/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
}

function closingQuote(text: string, quote: string): number {
  for (let index = 1; index < text.length; index++) {
    if (quote === '"' && text[index] === '\\') index++;
    else if (text[index] === quote) return index;
  }
  return -1;
}
