/**
 * jest.config.js maps two modules @pulumi/pulumi loads for function serialization to stand-ins that
 * load them on first use (test/lazy/): loading @pulumi/pulumi must not load them, and once used they
 * must behave as the real modules.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the stand-ins are CommonJS modules, required as @pulumi/pulumi requires them */

// The same module instances @pulumi/pulumi gets: jest's registry keys them by path.
const lazyModule = require("./lazy/lazyModule.js") as { state(): Record<string, string> };
const typescriptShim = () => require("./lazy/typescript-shim.js");
const arborist = () => require("@npmcli/arborist");

describe("the lazily loaded modules of @pulumi/pulumi", () => {
    it("loading @pulumi/pulumi loads neither the TypeScript compiler nor arborist", async () => {
        expect(lazyModule.state()).toEqual({});
        await import("@pulumi/pulumi");
        // Both required by @pulumi/pulumi (so mapped to their stand-ins), neither loaded.
        expect(lazyModule.state()).toEqual({ "typescript-shim": "not loaded", "@npmcli/arborist": "not loaded" });
    });

    it("function serialization (parses with TypeScript through the shim) still works, loading it", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const answer = 42;
        const serialized = await pulumi.runtime.serializeFunction(() => answer);
        expect(serialized.exportName).toBe("handler");
        expect(serialized.text).toContain("42");
        expect(lazyModule.state()["typescript-shim"]).toBe("loaded");
        expect(typeof typescriptShim().createSourceFile).toBe("function");
    });

    it("@npmcli/arborist, imported as @pulumi/pulumi does (__importStar), gives the real Arborist class", () => {
        const standIn = arborist();
        expect(standIn.__esModule).toBe(true);
        expect(standIn.Arborist.name).toBe("Arborist");
        expect(typeof standIn.Arborist.prototype.loadActual).toBe("function");
        expect(standIn.default.Arborist).toBe(standIn.Arborist);
        expect(lazyModule.state()["@npmcli/arborist"]).toBe("loaded");
    });
});
