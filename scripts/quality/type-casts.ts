import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { filesUnder } from './function-lengths';

/** One type assertion (`x as T` or `<T>x`) of a source file; `as const` is not one. */
export interface TypeCast {
  file: string;
  line: number;
  /** The asserted type as written, e.g. `Record<string, unknown>`. */
  type: string;
}

function isAsConst(type: ts.TypeNode, source: ts.SourceFile): boolean {
  return ts.isTypeReferenceNode(type) && type.typeName.getText(source) === 'const';
}

/**
 * Every type assertion of the `.ts` files under `root`, found in the syntax tree (not by text, so an
 * "as" in a comment or a string is no cast): issue 17 allows none on upstream JSON or a DynamoDB item.
 */
export function typeCasts(root: string): TypeCast[] {
  const found: TypeCast[] = [];
  for (const file of filesUnder(root)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !isAsConst(node.type, source)) {
        const line = source.getLineAndCharacterOfPosition(node.type.getStart(source)).line + 1;
        found.push({ file: relative(process.cwd(), file), line, type: node.type.getText(source) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

if (process.argv[1]?.endsWith('type-casts.ts')) {
  const casts = process.argv.slice(2).flatMap((root) => typeCasts(root));
  for (const cast of casts) console.log(`${cast.file}:${cast.line}\tas ${cast.type}`);
  console.log(`${casts.length} type casts`);
}
