import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "test/**/*.test.ts", "e2e/**/*.test.ts"],
    // A guard against hangs, not a speed requirement: scratch PGlite instances are slow on a loaded 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Two cores: more workers only thrash PGlite instances.
    maxWorkers: 2,
    pool: "forks",
  },
});
