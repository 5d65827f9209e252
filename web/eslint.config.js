// ESLint for the widget, the console, the loader and their tests; `make lint` runs it with tsc.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // src/shared/generated/: written by scripts/protocol-types.mjs from the server's models.
  { ignores: ["node_modules/", "dist/", "../src/helpline/static/", "src/shared/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    rules: {
      // Server text is rendered by Preact as text; nothing may set HTML from a string.
      "no-restricted-syntax": [
        "error",
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: "Never render text as HTML." },
        { selector: "AssignmentExpression[left.property.name='innerHTML']", message: "Never render text as HTML." },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    // Build scripts run by Node.
    files: ["scripts/**/*.mjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly", URL: "readonly" } },
  },
);
