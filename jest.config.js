// Type-checking happens once, in `npm run typecheck` (tsconfig.typecheck.json); jest only strips the types.
// @swc/jest does that natively: on a cold cache it transpiles every file in a few milliseconds where
// ts-jest (TypeScript's transpileModule in each worker) spent seconds loading the compiler. The options
// mirror tsconfig.json (ES2022, CommonJS with esModuleInterop, class fields with define semantics as
// tsc emits for ES2022); `isolatedModules` there keeps tsc from accepting what a per-file
// transpiler cannot compile.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test", "<rootDir>/components", "<rootDir>/infra"],
  testMatch: ["**/*.test.ts"],
  // Host-tool suites need Debian tools and moto_server: `npm run test:host` (jest.host.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/host/"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript" },
          target: "es2022",
          transform: { useDefineForClassFields: true },
        },
        module: { type: "commonjs", noInterop: false },
        sourceMaps: "inline",
      },
    ],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // examples/ import the library by its package name, as another team's program would; in this repo
  // that name is the source (tsconfig.json `paths` says the same to tsc).
  moduleNameMapper: {
    "^web-infra$": "<rootDir>/components/index.ts",
    // Loaded on first use instead of with @pulumi/pulumi (~0.2 s of CPU per test file): test/lazy/.
    "^\\.\\.?/(\\.\\./)*typescript-shim$": "<rootDir>/test/lazy/typescript-shim.js",
    "^@npmcli/arborist$": "<rootDir>/test/lazy/arborist.js",
    // @pulumi/pulumi's promise wrapper without its 100-frame stack capture per promise: see the file.
    "^(\\./|\\.\\./runtime/)debuggable$": "<rootDir>/test/debuggable.js",
  },
  // On a cold cache, the suites that run the stack program go first (see the file).
  testSequencer: "<rootDir>/test/sequencer.js",
  testTimeout: 30000,
  // No frames in the stacks the Pulumi runtime captures and never shows (see the file): a run of the
  // prod stack program under the mocks dropped from ~2.1 s to ~0.8 s on 2 CPUs.
  setupFilesAfterEnv: ["<rootDir>/test/jest.setup.ts"],
  // One directory per run where test files share what they all compute, e.g. a stack program's
  // recording for a given config (test/sharedRuns.ts); removed at the end of the run.
  globalSetup: "<rootDir>/test/jest.globalSetup.ts",
  globalTeardown: "<rootDir>/test/jest.globalTeardown.ts",
  // Jest's default is one worker less than the CPUs: on a 2-CPU machine (a CI runner) a single worker.
  // The suites share nothing (each has its own mock engine, temp dirs are unique), so use them all.
  maxWorkers: "100%",
};
