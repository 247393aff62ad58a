/**
 * Every setting does what it says: each leaf key of the configuration schema is read by
 * server code that is not a test, so no key can sit in docs/config.md while nothing obeys it
 * (as `passwords.enabled` once did).
 *
 * Method: the TypeScript compiler resolves every property access (`config.passwords.enabled`,
 * `deps.config.challengeTtlSeconds`) and every destructured property (`const { enabled } = …`)
 * in the server's non-test sources to the property it names. The `Config` type is derived from
 * the schema, so a property read through it resolves to the very schema declaration
 * (`enabled: Type.Boolean(…)` in schema.ts), however the object travelled (passed as
 * `Config['passwords']`, picked, narrowed). A leaf `a.b.c` counts as read when `a`, `b` and `c`
 * are each read somewhere; a plain text search could not tell one `enabled` from another.
 * Reads in `config/` itself (loading, validation guards) do not count: validating a value is not
 * obeying it. Limits: a key read only through a computed name (`config[key]`) or a structural
 * interface written by hand is missed, and then reported; read it through `Config` instead.
 * A field produced by a schema helper used more than once (`windowLimit`'s `max`) shares one
 * declaration, so it counts once its parent key is read and any of its copies is.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from './schema.ts';

const SERVER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCHEMA_FILE = path.join(SERVER_ROOT, 'src/config/schema.ts');
/** Defining and loading the settings is not obeying them. */
const NOT_READERS = new Set(['schema.ts', 'load.ts'].map((file) => path.join(SERVER_ROOT, 'src/config', file)));

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, SchemaNode>;
}

/** Leaf paths of the schema; records and arrays are leaves (their entries are free-form). */
function leafPaths(schema: SchemaNode, prefix: readonly string[] = []): string[][] {
  if (schema.type !== 'object' || schema.properties === undefined) return [[...prefix]];
  return Object.entries(schema.properties).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

function isProductSource(fileName: string): boolean {
  return !/\.test(-d)?\.ts$/.test(fileName) && !fileName.split(path.sep).includes('test-support');
}

function createServerProgram(): ts.Program {
  const tsconfig = ts.readConfigFile(path.join(SERVER_ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(tsconfig.config, ts.sys, SERVER_ROOT);
  return ts.createProgram(parsed.fileNames.filter(isProductSource), { ...parsed.options, noEmit: true });
}

/** A typed value handed on: what it was (`source`) and what the receiving code declared (`target`). */
interface Flow {
  readonly source: ts.Type;
  readonly target: ts.Type;
}

/** Where a value meets a declared type: call arguments, object literal members, annotated variables, returns. */
function flowTarget(checker: ts.TypeChecker, node: ts.Node): { value: ts.Expression; target: ts.Type } | undefined {
  const parent = node.parent;
  let value: ts.Expression | undefined;
  if (ts.isShorthandPropertyAssignment(node)) value = node.name;
  else if (
    ts.isExpression(node) &&
    (((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node)) ||
      (ts.isPropertyAssignment(parent) && parent.initializer === node) ||
      (ts.isVariableDeclaration(parent) && parent.initializer === node && parent.type !== undefined) ||
      ts.isReturnStatement(parent))
  )
    value = node;
  const target = value === undefined ? undefined : checker.getContextualType(value);
  return value !== undefined && target !== undefined ? { value, target } : undefined;
}

/** Whether a value of this type holds settings (an object or array of them): only those flows matter. */
function carriesSettings(checker: ts.TypeChecker, type: ts.Type): boolean {
  const value = checker.getNonNullableType(type);
  const element = checker.isArrayType(value) ? checker.getIndexTypeOfType(value, ts.IndexKind.Number) : undefined;
  const object = element ?? value;
  return object.getProperties().some((p) => p.declarations?.some((d) => d.getSourceFile().fileName === SCHEMA_FILE) ?? false);
}

/**
 * Every property declaration `files` read, and the flows of typed values between declared types.
 * A computed read (`policy[role]`) of an object reads each of its properties.
 */
function collectReads(program: ts.Program, files: readonly ts.SourceFile[]): { read: Set<ts.Declaration>; flows: Flow[] } {
  const checker = program.getTypeChecker();
  const read = new Set<ts.Declaration>();
  const flows: Flow[] = [];
  const record = (symbol: ts.Symbol | undefined): void => {
    for (const declaration of symbol?.declarations ?? []) read.add(declaration);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) record(checker.getSymbolAtLocation(node.name));
    else if (ts.isElementAccessExpression(node) && !ts.isStringLiteralLike(node.argumentExpression)) {
      for (const property of checker.getNonNullableType(checker.getTypeAtLocation(node.expression)).getProperties()) record(property);
    } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const name = node.propertyName ?? node.name;
      if (ts.isIdentifier(name)) record(checker.getTypeAtLocation(node.parent).getProperty(name.text));
    }
    const flow = flowTarget(checker, node);
    if (flow) {
      const source = checker.getTypeAtLocation(flow.value);
      if (carriesSettings(checker, source)) flows.push({ source, target: flow.target });
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files) visit(file);
  return { read, flows };
}

/** The checker's own identity of a type (stable for one program), cheaper than printing it. */
function typeId(type: ts.Type): number {
  return (type as ts.Type & { id: number }).id;
}

/**
 * Settings handed to code that reads them through its own interface (`WindowLimit`,
 * `ProviderTimings`) are read too: a property of the source counts as read when the same-named
 * property of the target is, recursively and until nothing changes (flows can chain).
 */
function propagateThroughFlows(checker: ts.TypeChecker, read: Set<ts.Declaration>, flows: readonly Flow[]): void {
  const seen = new Set<string>();
  const carry = (source: ts.Type, target: ts.Type, depth: number): boolean => {
    const from = checker.getNonNullableType(source);
    const to = checker.getNonNullableType(target);
    if (from === to || depth > 8) return false;
    if (to.isUnion()) return to.types.map((t) => carry(from, t, depth + 1)).some(Boolean);
    if (checker.isArrayType(from) || checker.isTupleType(from)) {
      const fromElement = checker.getIndexTypeOfType(from, ts.IndexKind.Number);
      const toElement = checker.getIndexTypeOfType(to, ts.IndexKind.Number);
      return fromElement !== undefined && toElement !== undefined && carry(fromElement, toElement, depth + 1);
    }
    let grew = false;
    for (const property of from.getProperties()) {
      const counterpart = to.getProperty(property.name);
      if (!counterpart?.declarations?.some((d) => read.has(d))) continue;
      for (const declaration of property.declarations ?? []) {
        if (!read.has(declaration)) {
          read.add(declaration);
          grew = true;
        }
      }
      const key = `${typeId(from)}|${property.name}|${typeId(to)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (carry(checker.getTypeOfSymbol(property), checker.getTypeOfSymbol(counterpart), depth + 1)) grew = true;
    }
    return grew;
  };
  for (let changed = true; changed;) {
    seen.clear();
    changed = flows.map((flow) => carry(flow.source, flow.target, 0)).some(Boolean);
  }
}

/** The schema declarations each segment of `leaf` resolves to through the `Config` type. */
function declarationsAlong(program: ts.Program, leaf: readonly string[]): (readonly ts.Declaration[])[] {
  const checker = program.getTypeChecker();
  const schemaFile = program.getSourceFile(SCHEMA_FILE);
  const alias = schemaFile?.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'Config');
  if (!alias) throw new TypeError('schema.ts no longer exports `type Config`');
  let type = checker.getTypeAtLocation(alias.name);
  return leaf.map((segment) => {
    const property = checker.getNonNullableType(type).getProperty(segment);
    if (!property) throw new TypeError(`Config has no ${leaf.join('.')}`);
    type = checker.getTypeOfSymbol(property);
    return property.declarations ?? [];
  });
}

function unreadKeys(program: ts.Program, options: { exclude?: (fileName: string) => boolean } = {}): string[] {
  const files = program
    .getSourceFiles()
    .filter((f) => f.fileName.startsWith(SERVER_ROOT + path.sep + 'src') && isProductSource(f.fileName))
    .filter((f) => !NOT_READERS.has(f.fileName) && !(options.exclude?.(f.fileName) ?? false));
  const { read, flows } = collectReads(program, files);
  propagateThroughFlows(program.getTypeChecker(), read, flows);
  return leafPaths(ConfigSchema as SchemaNode)
    .filter((leaf) => !declarationsAlong(program, leaf).every((declarations) => declarations.some((d) => read.has(d))))
    .map((leaf) => leaf.join('.'));
}

describe('configuration keys', () => {
  let program: ts.Program;
  beforeAll(() => {
    program = createServerProgram();
  }, 120_000);

  // The scan resolves every property access of the server: tens of seconds on a busy machine.
  it('every leaf key of the schema is read by server code', () => {
    expect(unreadKeys(program)).toEqual([]);
  }, 120_000);

  it('finds a key whose only reader is gone (the scan is precise enough to catch a dead key)', () => {
    // The password hasher is the only reader of `passwords.maxConcurrentHashes`; without it the key is dead.
    const withoutHasher = unreadKeys(program, { exclude: (file) => file.endsWith(path.join('accounts', 'password', 'hasher.ts')) });
    expect(withoutHasher).toContain('passwords.maxConcurrentHashes');
    expect(withoutHasher).not.toContain('passwords.maxLength');
  }, 120_000);
});
