import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One function-like node of a source file: where it starts and how many lines it spans. */
export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

/** The `.ts` files under `dir` (not `.d.ts`), at any depth. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous)';
}

/** Every function, method, arrow function and accessor of the `.ts` files under `root`, with its length in lines. */
export function functionLengths(root: string): FunctionLength[] {
  const found: FunctionLength[] = [];
  for (const file of filesUnder(root)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        found.push({ file: relative(process.cwd(), file), name: nameOf(node, source), line: start + 1, lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

if (process.argv[1]?.endsWith('function-lengths.ts')) {
  const limit = Number(process.argv[3] ?? 60);
  const all = functionLengths(process.argv[2] ?? 'lib');
  const over = all.filter((fn) => fn.lines > limit);
  for (const fn of over) console.log(`${fn.lines}\t${fn.file}:${fn.line}\t${fn.name}`);
  const longest = all[0];
  console.log(
    `${over.length} functions over ${limit} lines; longest ${longest ? `${longest.lines} (${longest.file}:${longest.line} ${longest.name})` : 'none'}`,
  );
}
