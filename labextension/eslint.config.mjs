import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import react from 'eslint-plugin-react';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const typeScriptFiles = ['src/**/*.{ts,tsx}', 'test/**/*.ts'];

export default tseslint.config(
  {
    ignores: ['lib/', 'node_modules/', 'coverage/', '**/*.d.ts', '*.config.*']
  },
  js.configs.recommended,
  { files: ['style/**/*.js'], languageOptions: { sourceType: 'module' } },
  ...tseslint.configs.strictTypeChecked.map(config => ({
    ...config,
    files: typeScriptFiles
  })),
  {
    files: typeScriptFiles,
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    plugins: { react },
    settings: { react: { version: '18' } },
    rules: {
      ...react.configs.recommended.rules,
      'react/prop-types': 'off',
      'react/no-danger': 'error',
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true }
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-namespace': 'off',
      eqeqeq: 'error',
      curly: ['error', 'all'],
      'prefer-arrow-callback': 'error'
    }
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' }
  },
  prettier
);
