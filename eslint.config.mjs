// ESLint flat config with typescript-eslint. Type-aware rules are left out on purpose: type
// errors are tsc's job (`npm run typecheck`), and type-aware linting would type-check a second time.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "plan/", "coverage/", "**/*.js", "!eslint.config.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      eqeqeq: ["error", "always"],
      "no-console": "off",
    },
  },
);
