// Host-tool suites (`npm run test:host`): checks that run real programs (cloud-init, nginx, shellcheck,
// Debian's python3 modules, moto_server). `npm test` (jest.config.js) leaves test/host/ out, so it
// passes on a machine with only Node; `.ci/run` installs the tools and runs both.
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/test/host"],
  testPathIgnorePatterns: ["/node_modules/"],
  testTimeout: 60000,
};
