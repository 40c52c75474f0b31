// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      ".warden/**",
      "coverage/**",
      "**/.warden/**",
      "scratch/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": "off",
    },
  },
  {
    // machines/ is pure: no Node built-ins, no I/O layers.
    files: ["machines/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["node:*", "**/actors/**", "**/runtime/**", "**/cli/**"] },
      ],
      "no-restricted-globals": ["error", "setTimeout", "setInterval", "process"],
      "no-restricted-properties": ["error", { object: "Date", property: "now" }],
    },
  },
  {
    // Layers go one way (SPEC §1): actors/ may use machines/, never runtime/ or cli/.
    files: ["actors/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/runtime/**", "**/cli/**"],
              message:
                "actors/ must not import runtime/ or cli/ (SPEC §1: machines ← actors ← runtime ← cli); move what both need down",
            },
          ],
        },
      ],
    },
  },
  {
    // runtime/ never reaches up into the command line.
    files: ["runtime/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["**/cli/**"], message: "runtime/ must not import cli/ (SPEC §1)" }],
        },
      ],
    },
  },
);
