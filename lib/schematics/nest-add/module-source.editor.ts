// Edits a module file through TypeScript's syntax tree, so a second run finds what the first one added instead of
// adding it again. Hand-written over the compiler API rather than @nestjs/schematics' MetadataManager: version 12 of
// that package requires TypeScript >= 6 as a peer (this repository compiles with 5.9), and MetadataManager only
// recognises an element it would add by its exact text, which a reformatted AppModule no longer matches.
import ts from 'typescript';

function parse(source: string): ts.SourceFile {
  return ts.createSourceFile('module.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** Every name the file's import declarations bind (default, named and namespace imports). */
function importedNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of file.statements) {
    const clause = ts.isImportDeclaration(statement) ? statement.importClause : undefined;
    if (!clause) continue;
    if (clause.name) names.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
  }
  return names;
}

/**
 * Adds `import { ...names } from 'specifier'` for the names the file does not import yet: into an existing
 * (non-type-only) import of the same specifier when there is one, else as a new declaration after the last import.
 */
export function addNamedImports(source: string, specifier: string, names: readonly string[]): string {
  const file = parse(source);
  const bound = importedNames(file);
  const missing = names.filter((name) => !bound.has(name));
  if (missing.length === 0) return source;

  const imports = file.statements.filter(ts.isImportDeclaration);
  const sameSpecifier = imports.find(
    (declaration) =>
      ts.isStringLiteral(declaration.moduleSpecifier) &&
      declaration.moduleSpecifier.text === specifier &&
      !declaration.importClause?.isTypeOnly &&
      declaration.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(declaration.importClause.namedBindings),
  );
  if (sameSpecifier) {
    const named = sameSpecifier.importClause!.namedBindings as ts.NamedImports;
    const all = [...named.elements.map((element) => element.getText(file)), ...missing];
    return `${source.slice(0, named.getStart(file))}{ ${all.join(', ')} }${source.slice(named.getEnd())}`;
  }
  const declaration = `import { ${missing.join(', ')} } from '${specifier}';`;
  const last = imports.at(-1);
  if (!last) return `${declaration}\n${source}`;
  return `${source.slice(0, last.getEnd())}\n${declaration}${source.slice(last.getEnd())}`;
}

/** `@Module({...})`'s object literal: the first class decorator called `Module` with an object argument. */
function moduleMetadata(file: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  for (const statement of file.statements) {
    if (!ts.isClassDeclaration(statement)) continue;
    for (const decorator of ts.getDecorators(statement) ?? []) {
      const call = decorator.expression;
      if (
        ts.isCallExpression(call) &&
        ts.isIdentifier(call.expression) &&
        call.expression.text === 'Module' &&
        call.arguments.length > 0 &&
        ts.isObjectLiteralExpression(call.arguments[0])
      ) {
        return call.arguments[0];
      }
    }
  }
  return undefined;
}

/** The identifier an element starts from: `TypeOrmModule` for `TypeOrmModule.forRoot({...})`, `UsersModule` for itself. */
function rootIdentifier(expression: ts.Expression): string | undefined {
  let current: ts.Expression = expression;
  for (;;) {
    if (ts.isIdentifier(current)) return current.text;
    if (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current)) current = current.expression;
    else return undefined;
  }
}

/** The whitespace a line starts with. */
function indentationAt(source: string, position: number): string {
  const lineStart = source.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart))![0];
}

const indentLines = (text: string, indent: string): string => text.split('\n').join(`\n${indent}`);

/** Why {@link addToModuleMetadata} did or did not change the file. */
export type ModuleMetadataEdit = 'added' | 'already-present' | 'no-module-decorator' | 'not-an-array';

/**
 * Appends `element` to the `property` array of the file's `@Module({...})` (creating the property when it is
 * missing), one element per line, unless an element there already starts from the same identifier (a second
 * `TypeOrmModule.forRoot(...)` would be a second connection, not an update). Multi-line elements are written with
 * two-space indentation and re-indented to their place.
 */
export function addToModuleMetadata(
  source: string,
  property: 'imports' | 'controllers' | 'providers' | 'exports',
  element: string,
): { source: string; edit: ModuleMetadataEdit } {
  const file = parse(source);
  const metadata = moduleMetadata(file);
  if (!metadata) return { source, edit: 'no-module-decorator' };
  const [statement] = parse(element).statements;
  const identifier = statement && ts.isExpressionStatement(statement) ? rootIdentifier(statement.expression) : undefined;

  const assignment = metadata.properties.find(
    (candidate): candidate is ts.PropertyAssignment =>
      ts.isPropertyAssignment(candidate) && (ts.isIdentifier(candidate.name) || ts.isStringLiteral(candidate.name)) && candidate.name.text === property,
  );

  if (!assignment) {
    // A new `property: [element],` after the last one, at the indentation of the existing properties.
    const last = metadata.properties.at(-1);
    const propertyIndent = last ? indentationAt(source, last.getStart(file)) : `${indentationAt(source, metadata.getStart(file))}  `;
    const text = `${property}: [\n${propertyIndent}  ${indentLines(element, `${propertyIndent}  `)},\n${propertyIndent}]`;
    if (!last) {
      const closing = metadata.getEnd() - 1;
      return { source: `${source.slice(0, closing)}\n${propertyIndent}${text},\n${source.slice(closing)}`, edit: 'added' };
    }
    const afterLast = metadata.properties.hasTrailingComma ? source.indexOf(',', last.getEnd()) + 1 : last.getEnd();
    const separator = metadata.properties.hasTrailingComma ? '' : ',';
    return { source: `${source.slice(0, afterLast)}${separator}\n${propertyIndent}${text}${metadata.properties.hasTrailingComma ? ',' : ''}${source.slice(afterLast)}`, edit: 'added' };
  }

  const array = assignment.initializer;
  if (!ts.isArrayLiteralExpression(array)) return { source, edit: 'not-an-array' };
  if (identifier && array.elements.some((existing) => rootIdentifier(existing) === identifier)) return { source, edit: 'already-present' };

  const propertyIndent = indentationAt(source, assignment.getStart(file));
  const elementIndent = `${propertyIndent}  `;
  const line = (position: number) => file.getLineAndCharacterOfPosition(position).line;
  if (line(array.getStart(file)) === line(array.getEnd())) {
    // `[]` or `[AppController]` (the shape `nest new` writes): one element per line from now on. Elements of a
    // one-line array are one-line themselves, so their text is kept as it is.
    const items = [...array.elements.map((existing) => existing.getText(file)), element];
    const body = items.map((item) => `${elementIndent}${indentLines(item, elementIndent)},`).join('\n');
    return { source: `${source.slice(0, array.getStart(file))}[\n${body}\n${propertyIndent}]${source.slice(array.getEnd())}`, edit: 'added' };
  }
  // A multi-line array: the new element goes on its own line after the last one, keeping the trailing-comma style.
  const last = array.elements.at(-1)!;
  const lastIndent = indentationAt(source, last.getStart(file));
  const text = indentLines(element, lastIndent);
  if (array.elements.hasTrailingComma) {
    const afterComma = source.indexOf(',', last.getEnd()) + 1;
    return { source: `${source.slice(0, afterComma)}\n${lastIndent}${text},${source.slice(afterComma)}`, edit: 'added' };
  }
  return { source: `${source.slice(0, last.getEnd())},\n${lastIndent}${text}${source.slice(last.getEnd())}`, edit: 'added' };
}
