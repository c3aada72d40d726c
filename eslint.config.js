import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layeringRule } from './tools/eslint/layering.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', '.state/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    plugins: { kubeguard: { rules: { layering: layeringRule } } },
    rules: {
      'kubeguard/layering': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['src/cli/**', 'bench/**', 'tools/**', 'bin/**', 'test/**'], rules: { 'no-console': 'off' } },
);
