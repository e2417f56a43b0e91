/**
 * YAML for cloud-init. cloud-init parses user data with PyYAML, a YAML 1.1 parser; js-yaml, which
 * writes it, follows YAML 1.2. Where the two disagree about a plain (unquoted) scalar, a string we
 * write would come back to cloud-init as something else: `0644` is an octal number to YAML 1.1 (420),
 * `1_000` an integer, `yes`/`on` booleans, `2026-12-06` a date. js-yaml quotes a string when a type of
 * its dump schema would resolve it; its compatibility mode covers the booleans but not the rest, so the
 * schema below adds PyYAML's own implicit resolvers, and every string PyYAML would read as a non-string
 * is quoted. test/host/userData.test.ts holds the emitter to this with PyYAML itself, over hundreds of
 * generated strings.
 */
import * as yaml from "js-yaml";

/**
 * PyYAML 6's implicit resolvers (yaml/resolver.py, `Resolver.add_implicit_resolver`): bool, float,
 * int, merge, null, timestamp and value, as written there (verbose regexes, whitespace removed).
 */
const PYYAML_IMPLICIT: readonly RegExp[] = [
    /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    /^(?:<<)$/,
    /^(?:~|null|Null|NULL|)$/,
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
    /^(?:=)$/,
];

/**
 * A type that only ever "resolves" (never represents a value: no `predicate`/`instanceOf`), so that
 * js-yaml's dumper, which quotes a string that any implicit type of its schema resolves, quotes what
 * PyYAML would resolve.
 */
const pyyamlImplicit = new yaml.Type("tag:web-infra,2026:pyyaml-implicit", {
    kind: "scalar",
    resolve: (data: unknown) => typeof data === "string" && PYYAML_IMPLICIT.some((re) => re.test(data)),
});

const CLOUD_INIT_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [pyyamlImplicit] });

/**
 * `value` as YAML that PyYAML reads back unchanged. Multi-line strings come out as literal blocks
 * (`|`), readable in the EC2 console; block style throughout (PyYAML also ends a plain scalar at `?`
 * inside a flow collection, where js-yaml does not); no line folding (`lineWidth: -1`), no anchors
 * (`noRefs`), keys in the order given.
 */
export function emitYaml(value: unknown): string {
    return yaml.dump(value, { schema: CLOUD_INIT_SCHEMA, lineWidth: -1, noRefs: true, noCompatMode: false, sortKeys: false, flowLevel: -1 });
}
