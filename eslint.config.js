// ESLint here lints one thing: the GraphQL documents of the dashboard and of the CLI against the
// committed SDL (run by test/api/ui-documents-lint.test.ts and test/cli/documents-lint.test.ts). TypeScript and Svelte code is
// checked by tsc and svelte-check, not by ESLint.
import graphqlPlugin, { processors } from '@graphql-eslint/eslint-plugin';

/**
 * The processor hands ESLint each graphql(`...`) document as a virtual `<file>/N_document.graphql`
 * and then the host file itself. The host is TypeScript or Svelte, which ESLint's default parser
 * cannot read; it has no rules here, so it is parsed as an empty program.
 */
const hostFileParser = {
  meta: { name: 'purser-host-file', version: '1.0.0' },
  parseForESLint(code) {
    const lines = code.split('\n');
    const end = { line: lines.length, column: lines[lines.length - 1].length };
    return {
      ast: { type: 'Program', body: [], sourceType: 'module', comments: [], tokens: [], range: [0, code.length], loc: { start: { line: 1, column: 0 }, end } },
      visitorKeys: { Program: [] },
    };
  },
};

/** What a document may use: only what the schema has (the spec's validation), no deprecated field, and a name. */
const DOCUMENT_RULES = Object.fromEntries(
  [
    'executable-definitions',
    'fields-on-correct-type',
    'fragments-on-composite-type',
    'known-argument-names',
    'known-directives',
    'known-fragment-names',
    'known-type-names',
    'no-fragment-cycles',
    'no-undefined-variables',
    'no-unused-variables',
    'overlapping-fields-can-be-merged',
    'possible-fragment-spread',
    'provided-required-arguments',
    'scalar-leafs',
    'unique-argument-names',
    'unique-input-field-names',
    'unique-variable-names',
    'value-literals-of-correct-type',
    'variables-are-input-types',
    'variables-in-allowed-position',
    'no-deprecated',
    'no-anonymous-operations',
  ].map((rule) => [`@graphql-eslint/${rule}`, 'error']),
);

export default [
  // generated from these documents by codegen; the build output is not source
  { ignores: ['ui/src/lib/graphql/**', 'ui/build/**', 'ui/.svelte-kit/**', 'cli/src/gql/**', 'cli/dist/**', 'cli/.test-build/**'] },
  {
    files: ['ui/src/**/*.ts', 'ui/src/**/*.svelte'],
    processor: processors.graphql,
    languageOptions: { parser: hostFileParser },
  },
  {
    files: ['ui/src/**/*.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: {
        graphQLConfig: { schema: 'schema/schema.graphql', documents: ['ui/src/**/*.{svelte,ts}', '!ui/src/lib/graphql/**'] },
      },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: DOCUMENT_RULES,
  },
  // the CLI's documents, each file with the fragments of its folder
  {
    files: ['cli/src/**/*.ts'],
    processor: processors.graphql,
    languageOptions: { parser: hostFileParser },
  },
  {
    files: ['cli/src/**/*.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: {
        graphQLConfig: { schema: 'schema/schema.graphql', documents: ['cli/src/**/*.ts', '!cli/src/gql/**'] },
      },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: DOCUMENT_RULES,
  },
];
