// Jest moduleNameMapper targets (jest.config.js): two modules @pulumi/pulumi requires eagerly for
// function serialization (runtime/closure: TypeScript's compiler through its typescript-shim, and
// @npmcli/arborist), which no test and no program here calls. Jest gives each test file its own
// module registry, so every file loaded them again: ~0.5 s of CPU in a worker's first file, ~0.2 s in
// the next ones (8 component suites in one worker: 6.7 s -> 5.2 s of CPU). Each stand-in loads the
// real module, in the same registry, on first use, so code that does serialize a function behaves
// exactly as before.
"use strict";

/** Stand-in name → whether it has loaded its module (for test/lazyModules.test.ts). */
const standIns = new Map();

/**
 * A stand-in, called `name`, for the module `load()` returns, calling it on first use. `load` should
 * require an absolute path, which moduleNameMapper does not map back to the stand-in. `esModule`: answer
 * `__esModule` (so TypeScript's `__importStar` keeps the stand-in instead of copying every key, which
 * would load the module) and give the module itself as `default`, as `__importStar` would.
 */
function lazyModule(name, load, { esModule = false } = {}) {
    let real;
    const get = () => (real ??= load());
    const standIn = new Proxy(
        {},
        {
            get: (_, key) => (esModule && key === "__esModule" ? true : esModule && key === "default" ? get() : get()[key]),
            has: (_, key) => key in get(),
            ownKeys: () => Reflect.ownKeys(get()),
            getOwnPropertyDescriptor: (_, key) => {
                const descriptor = Reflect.getOwnPropertyDescriptor(get(), key);
                // A proxy may not report a non-configurable property its (empty) target lacks.
                return descriptor && { ...descriptor, configurable: true };
            },
        },
    );
    standIns.set(name, () => real !== undefined);
    return standIn;
}

/** The stand-ins created in this module registry (i.e. required so far), and whether each has loaded its module. */
lazyModule.state = () => Object.fromEntries([...standIns].map(([name, isLoaded]) => [name, isLoaded() ? "loaded" : "not loaded"]));

module.exports = lazyModule;
