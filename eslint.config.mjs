// ESLint for Cascade: strict TypeScript everywhere, and workflow purity in
// workflows/ (deterministic code: no Node built-ins, no I/O clients, only
// `import type` from activities/).
import builtinModules from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.builtinModules.flatMap((name) => [name, `node:${name}`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/generated/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'bin/*.js', 'prisma.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Async functions without await are how activities and handlers implement Promise-returning interfaces.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', require: 'readonly', __dirname: 'readonly', module: 'writable', console: 'readonly' } },
  },
  {
    files: ['workflows/**/*.ts', 'bench/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['@prisma/*', '@aws-sdk/*', 'pg', 'pino', 'fastify', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflow code must not import I/O clients; call an activity instead.' },
            { group: ['../activities', '../activities/*', '**/activities/**'], allowTypeImports: true, message: 'Workflows may only `import type` from activities/.' },
            { group: ['../src/*', '!../src/shared'], message: 'Workflows may import only src/shared (pure types and helpers).' },
          ],
        },
      ],
    },
  },
);
