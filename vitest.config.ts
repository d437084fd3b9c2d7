import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Pseudo-terminals, chromium and tesseract are real processes: give them room on a 2-core box.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two files at a time on the 2-core bench PC and CI: most tests wait on real time (simulated
    // heads, pseudo-terminals, chromium), so the suite takes 7 min instead of 12.
    maxWorkers: 2,
  },
});
