/**
 * Jest setup (setupFilesAfterEnv): no stack traces where nobody reads them.
 *
 * The Pulumi runtime captures `new Error().stack` for every promise it makes (runtime/debuggable.js,
 * for its leak report) and for every resource (Resource.callsites, for the source position it sends
 * the engine). Under jest, each capture went through source-map-support, which maps every frame back
 * to the TypeScript source: thousands of captures per run of the stack program, about two thirds of a
 * run's time; even V8's plain format of those frames was still ~10% of a component suite's CPU. The
 * mock engine never shows either stack and the leak report prints it only with
 * PULUMI_DEBUG_PROMISE_LEAKS, so they get the first line alone (no frames: Resource.callsites then
 * finds no source position, which the mock monitor ignores). Every other stack (a failing assertion,
 * an error a test prints) is still source-mapped.
 */
const mapped = Error.prepareStackTrace;
if (typeof mapped === "function") {
    const unread = new Set(["debuggablePromise", "callsites"]);
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => (unread.has(frames[0]?.getFunctionName() ?? "") ? String(error) : mapped(error, frames));
}
