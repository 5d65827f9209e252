// Unit tests for the web clients' pure state (reducers, protocol rules). `make test` runs them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
  },
});
