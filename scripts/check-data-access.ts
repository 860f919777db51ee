import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

// The data-access boundary of docs/architecture.md, checked by `npm run lint`: every query is
// built in server/db/repositories/ (or a migration). Anywhere else, kysely's query starters
// (`selectFrom`, `insertInto`, `updateTable`, `deleteFrom`, `replaceInto`, `mergeInto`,
// `selectNoFrom`) and its raw `sql` tag are refused. Tests, the test harness, benchmarks and
// the evaluation scripts may build queries of their own (to set up or inspect state).
// dependency-cruiser sees imports, not calls, hence this small check beside it.

const ROOT = join(import.meta.dirname, '..');
const SCANNED = ['server', 'schema', 'plugins'];
const ALLOWED = [/^server\/db\/repositories\//, /^migrations\//, /^server\/testing\//, /\.test\.ts$/];
const QUERY_STARTERS = new Set(['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto', 'selectNoFrom']);

function* typeScriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** `file:line: what` for each query built outside the boundary. */
export function dataAccessViolations(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node) => `${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  // The local names kysely's `sql` is imported under (`import { sql as raw } from 'kysely'` too).
  const sqlNames = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || (statement.moduleSpecifier as ts.StringLiteral).text !== 'kysely') continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) if ((element.propertyName ?? element.name).text === 'sql') sqlNames.add(element.name.text);
    }
  }
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && QUERY_STARTERS.has(node.name.text) && ts.isCallExpression(node.parent) && node.parent.expression === node) {
      found.push(`${at(node.name)}: .${node.name.text}() outside server/db/repositories/`);
    }
    if (ts.isIdentifier(node) && sqlNames.has(node.text) && !ts.isImportSpecifier(node.parent)) {
      found.push(`${at(node)}: kysely's sql outside server/db/repositories/`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations: string[] = [];
  for (const folder of SCANNED) {
    for (const file of typeScriptFiles(join(ROOT, folder))) {
      const path = relative(ROOT, file);
      if (ALLOWED.some((re) => re.test(path))) continue;
      violations.push(...dataAccessViolations(path, readFileSync(file, 'utf8')));
    }
  }
  if (violations.length > 0) {
    console.error(`${violations.join('\n')}\n\nx ${violations.length} queries outside the data-access boundary (docs/architecture.md).`);
    process.exit(1);
  }
  console.log('✔ every query is in server/db/repositories/ or migrations/');
}
