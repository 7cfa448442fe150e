// ESLint for the whole tree: `npm run lint` (which also runs the layering check,
// .dependency-cruiser.cjs). Formatting is Prettier's job; eslint-config-prettier
// switches off every rule that would fight it.
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  globalIgnores([
    'out/',
    'dist/',
    '.cache/',
    'tests/artifacts/',
    'bench/results/',
    'src/main/engine/wasm/generated/',
    // AssemblyScript (i32, f32x4, load<T>…): compiled by asc, not TypeScript.
    'src/main/engine/wasm/assembly/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/recommended'],
  {
    languageOptions: { globals: globals.node },
    rules: {
      // `const { figure: _figure, ...rest } = x` and `(_a) => …` are how the code says "unused on purpose".
      // Prettier wraps code at 120 columns; this catches what it leaves (comments, markup).
      // Long strings, templates and regular expressions stay whole, so messages can be grepped.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // Multi-word names keep components apart from HTML elements; there is no <panel>.
    rules: { 'vue/multi-word-component-names': ['error', { ignores: ['Panel'] }] },
  },

  // Promise mistakes need type information: a promise nobody awaits or catches (a
  // rejection then kills Node, or vanishes in the renderer), an async callback where
  // the caller ignores the promise (http/ws handlers, setInterval), awaiting a
  // non-promise. The rest of recommendedTypeChecked is left out: its no-unsafe-* rules
  // flag every tfjs/ECharts `any`, and no-unnecessary-type-assertion would strip the
  // `xs[i]!` assertions the numeric code writes deliberately.
  {
    files: ['**/*.ts', '**/*.vue'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.vue'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
    },
  },

  // Tests and benchmarks poke at untyped things (ECharts options, page.evaluate results).
  {
    files: ['tests/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  prettier,
)
