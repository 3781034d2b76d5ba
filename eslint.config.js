// ESLint 9 flat config. TypeScript is linted with type information (projectService reads
// tsconfig.json), so run `npx hardhat build` first: tests import the generated `types/`.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores([
    "node_modules/",
    "artifacts/",
    "cache/",
    "types/",
    "coverage/",
    "out/",
    "sim-out/",
    "ignition/deployments/",
  ]),

  // Every file: ESLint's recommended JavaScript rules, Node globals.
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },

  // TypeScript: type-aware rules.
  {
    files: ["**/*.ts", "**/*.mts", "**/*.cts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An agent loop or a test that drops a promise fails silently.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      // allowNumber covers bigint too: `${amountWad}` is common and safe.
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      eqeqeq: ["error", "always"],
    },
  },

  // Mocha tests: chai assertions are expressions (`expect(x).to.be.true`), and
  // `function () { this.timeout(...) }` is the mocha way to reach the context.
  {
    files: ["test/**/*.ts"],
    languageOptions: {
      globals: { ...globals.mocha },
    },
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
      "func-names": "off",
      "prefer-arrow-callback": "off",
    },
  },

  // Plain JavaScript (this file, setup scripts): no type information.
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
