// Type-checking happens once, in `npm run typecheck` (tsc --noEmit). With `isolatedModules` in
// tsconfig.json, ts-jest only transpiles each file, which keeps a suite at ~2 s instead of ~9 s.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test", "<rootDir>/components", "<rootDir>/infra"],
  testMatch: ["**/*.test.ts"],
  // Host-tool suites need Debian tools and moto_server: `npm run test:host` (jest.host.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/host/"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // examples/ import the library by its package name, as another team's program would; in this repo
  // that name is the source (tsconfig.json `paths` says the same to tsc).
  moduleNameMapper: { "^web-infra$": "<rootDir>/components/index.ts" },
  testTimeout: 30000,
  // Plain V8 stack traces for the stacks the Pulumi runtime captures and never shows (see the file):
  // a run of the prod stack program under the mocks drops from ~2.1 s to ~0.8 s on 2 CPUs.
  setupFilesAfterEnv: ["<rootDir>/test/jest.setup.ts"],
  // Jest's default is one worker less than the CPUs: on a 2-CPU machine (a CI runner) a single worker.
  // The suites share nothing (each has its own mock engine, temp dirs are unique), so use them all.
  maxWorkers: "100%",
};
