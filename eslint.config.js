// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/**", ".warden/**", "coverage/**", "**/.warden/**", "scratch/**"] },
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
        { patterns: ["node:*", "../actors/*", "../runtime/*", "../cli/*"] },
      ],
      "no-restricted-globals": ["error", "setTimeout", "setInterval", "process"],
      "no-restricted-properties": ["error", { object: "Date", property: "now" }],
    },
  },
);
