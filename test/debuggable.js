// Jest moduleNameMapper target (jest.config.js) for @pulumi/pulumi's runtime/debuggable.js, which
// wraps every promise the runtime makes (each registration, invoke, output) and stores
// `new Error().stack` on it for the promise-leak report. Under jest, Error.stackTraceLimit is 100, so
// each of those captures walked up to 100 frames and built a CallSite object per frame, only for
// test/jest.setup.ts to keep the first line ("Error"): about 4 s of CPU (and much of the GC) in a
// jest run, a tenth of it. This loads the real module and runs its debuggablePromise with the stack
// limit at 0: the stored trace is the header line alone, as before, and the rest (leak candidates, the exit check,
// `err.promise`) is the real code.
"use strict";
const path = require("path");

// By absolute path: moduleNameMapper maps only the relative specifiers @pulumi/pulumi uses.
const real = require(path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "runtime", "debuggable.js"));
const debuggablePromise = real.debuggablePromise;
if (!debuggablePromise.unframed) {
    const unframed = function (p, ctx) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return debuggablePromise(p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    unframed.unframed = true;
    // Pulumi's modules call it through this exports object (`debuggable_1.debuggablePromise(…)`).
    real.debuggablePromise = unframed;
}
module.exports = real;
