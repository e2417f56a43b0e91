/**
 * The error every bad stack setting ends in. Its own module so that `config.ts` (which raises it) and
 * `stackKeys.ts` (which turns a component's error into one) can share it without importing each other.
 */

/** Raised for any invalid setting; `problems` holds one line per problem, each naming its key. */
export class ConfigError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(
            problems.length === 1
                ? `Invalid stack configuration: ${problems[0]}`
                : `Invalid stack configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "ConfigError";
    }
}
