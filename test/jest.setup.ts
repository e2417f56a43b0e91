/**
 * Jest setup (setupFilesAfterEnv): cheap stack traces where nobody reads them.
 *
 * The Pulumi runtime captures `new Error().stack` for every promise it makes (runtime/debuggable.js,
 * for its leak report) and for every resource (Resource.callsites, for the source position it sends
 * the engine). Under jest, each capture goes through source-map-support, which maps every frame back
 * to the TypeScript source: thousands of captures per run of the stack program, about two thirds of a
 * run's time. Those two stacks are never shown by the mock engine, so they get V8's plain format;
 * every other stack (a failing assertion, an error a test prints) is still mapped.
 */
const mapped = Error.prepareStackTrace;
if (typeof mapped === "function") {
    const unread = new Set(["debuggablePromise", "callsites"]);
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
        unread.has(frames[0]?.getFunctionName() ?? "") ? `${error}\n${frames.map((f) => `    at ${f}`).join("\n")}` : mapped(error, frames);
}
