// Type-aware lint (issue #12): only the rules that find bugs the compiler does not, no style rules
// (formatting is not ESLint's job here). `npm run lint`.
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/.tessera/**", "apps/*/migrations/**", "test/fixtures/**", "coverage/**",
      // Copied into new apps by `tessera init`; no tsconfig of this repository includes it.
      "packages/cli/templates/**"],
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // Each file is checked with the tsconfig.json nearest to it (the root one, or apps/admin's).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A promise nobody awaits loses its rejection: an unhandled error, or a write that silently did not happen.
      "@typescript-eslint/no-floating-promises": "error",
      // A leading underscore marks a parameter or binding kept on purpose (a callback's shape, a destructured rest).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The admin UI already names this rule in its disable comments; the React Compiler rules of the
    // plugin's newer presets are not turned on.
    files: ["apps/admin/src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
);
