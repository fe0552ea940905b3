// Lint Cypher statements offline with Neo4j's own Cypher front end
// (@neo4j-cypher/language-support: parser + semantic analysis, Cypher 5).
//
// stdin:  {"schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...],
//                     "graphSchema": [{"from": label, "to": label, "relType": type}, ...]},
//          "statements": [{"name": "...", "text": "...", "params": {...}}, ...]}
// stdout: {"frontEnd": "<package@version>", "selfCheck": [...], "results": [{"name", "diagnostics": [...]}]}
//
// Every statement is checked against the declared labels, relationship types, property
// keys and its own parameters; functions are checked against Neo4j's built-in ones (only
// built-ins: redchain uses no plugin such as APOC). `selfCheck` lists the known-bad
// queries the front end failed to flag: if it is not empty, the linter is not working and
// the results prove nothing.
//
// The front end's semantic analysis gives up silently on some constructs (for example a
// subquery expression inside CASE): it then reports nothing at all. So each statement is
// also linted with a canary in front of it, a reference to an undefined variable; if the
// canary is not reported, the statement gets a diagnostic saying the analysis did not run.
// Schema commands (CREATE CONSTRAINT / INDEX) take no canary: the parser checks them.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const pkg = JSON.parse(
  readFileSync(new URL('./node_modules/@neo4j-cypher/language-support/package.json', import.meta.url), 'utf8'),
);
const VERSION = 'CYPHER 5';

function builtIns(registry) {
  const all = registry?.[VERSION] ?? {};
  return { [VERSION]: Object.fromEntries(Object.entries(all).filter(([, f]) => f.isBuiltIn)) };
}

const FUNCTIONS = builtIns(testData?.mockSchema?.functions);

function dbSchema(schema, params) {
  return {
    labels: schema.labels ?? [],
    relationshipTypes: schema.relationshipTypes ?? [],
    propertyKeys: schema.propertyKeys ?? [],
    graphSchema: schema.graphSchema ?? [],
    parameters: params ?? {},
    functions: FUNCTIONS,
    procedures: { [VERSION]: {} },
    defaultLanguage: VERSION,
  };
}

function lint(text, schema, params) {
  const { diagnostics } = lintCypherQuery(text, dbSchema(schema, params), { consoleCommandsEnabled: false });
  return diagnostics.map((d) => ({
    severity: d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    excerpt: text.slice(d.offsets.start, Math.max(d.offsets.end, d.offsets.start + 1)),
  }));
}

// Queries the front end must reject, one per kind of check we rely on.
const KNOWN_BAD = [
  ['syntax', 'MATCH (n) RETRN n'],
  ['undefined variable', 'MATCH (n) RETURN m'],
  ['undeclared parameter', 'RETURN $nope'],
  ['unknown function', 'RETURN toIntegr(1) AS x'],
  ['unknown label', 'MATCH (n:NoSuchLabel) RETURN n'],
  ['unknown property', 'MATCH (n) RETURN n.no_such_property'],
  ['deprecated subquery import', 'MATCH (n) CALL { WITH n RETURN 1 AS x } RETURN x'],
];

const CANARY = 'redchain_lint_canary';

function analysed(text, schema, params) {
  if (/^\s*CREATE\s+(CONSTRAINT|INDEX)\b/i.test(text)) return [];
  const probe = lint(`WITH ${CANARY} AS ${CANARY}_probe\n${text}`, schema, params);
  if (probe.some((d) => d.message.includes(`Variable \`${CANARY}\` not defined`))) return [];
  return [{ severity: 'error', message: 'semantic analysis did not run on this statement (the canary was not reported); rewrite the construct it cannot analyse', line: 1, column: 1, excerpt: '' }];
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const schema = input.schema ?? {};
const selfCheck = KNOWN_BAD.filter(([, text]) => lint(text, schema, {}).length === 0).map(([kind]) => kind);
// ... and the canary must catch a statement the analysis gives up on.
if (analysed("MATCH (o) RETURN CASE WHEN EXISTS { (o)--() } THEN 1 END AS x", schema, {}).length === 0) selfCheck.push('canary');
const results = (input.statements ?? []).map((s) => ({ name: s.name, diagnostics: [...lint(s.text, schema, s.params), ...analysed(s.text, schema, s.params)] }));
process.stdout.write(JSON.stringify({ frontEnd: `${pkg.name}@${pkg.version}`, selfCheck, results }, null, 1) + '\n');
