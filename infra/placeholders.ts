/**
 * Placeholder values a stack file may hold until a team fills in its own: documentation domains and
 * e-mail addresses, the AWS documentation's example account and AMI. `npm run plan` and `pulumi preview`
 * accept them (with a warning), so the stack can be read and reviewed before anyone has an account; a
 * real `pulumi up` refuses them (infra/main.ts), and so does the preflight.
 *
 * Pure: raw settings in, findings out.
 */
import type { RawConfig } from "./config";
import type { SettingKey } from "./settings";

export interface Placeholder {
    readonly key: SettingKey;
    readonly value: string;
    /** Why it is a placeholder, and what to set instead. */
    readonly fix: string;
}

/**
 * Names reserved for documentation and testing (RFC 2606, RFC 6761): `example.com`, `example.net`,
 * `example.org` and anything under them, and the top-level names `.example`, `.test`, `.invalid`,
 * `.localhost`. No certificate can be validated and no mail delivered for them. Also any other
 * `example.<tld>` (example.co.uk, example.com.au, example.de): not reserved, but registered by someone
 * else, so a certificate for it never validates and alert mail would go to a stranger; in a stack file
 * it is always a template's placeholder.
 */
export function isReservedName(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, "");
    return /(^|\.)example\.[a-z.]+$/.test(n) || /(^|\.)(example|test|invalid|localhost)$/.test(n);
}

/** The AWS documentation's example account, and the all-zeros one some templates use. */
export const PLACEHOLDER_ACCOUNT_IDS: readonly string[] = ["123456789012", "000000000000"];

/** AMI ids from the AWS documentation's examples (the first is the one Pulumi.prod.yaml ships with). */
export const PLACEHOLDER_AMI_IDS: readonly string[] = ["ami-0123456789abcdef0", "ami-12345678", "ami-0abcdef1234567890"];

/** Every setting that still holds a placeholder, in settings order. */
export function findPlaceholders(raw: RawConfig): Placeholder[] {
    const found: Placeholder[] = [];
    const value = (key: SettingKey) => (raw[key] === undefined || raw[key] === "" ? undefined : raw[key]);

    const domain = value("domain");
    if (domain !== undefined && isReservedName(domain)) {
        found.push({ key: "domain", value: domain, fix: "a reserved documentation name: set the site's real name, in a Route 53 public hosted zone of the target account" });
    }
    const zone = value("hostedZone");
    if (zone !== undefined && isReservedName(zone)) {
        found.push({ key: "hostedZone", value: zone, fix: "a reserved documentation name: set the target account's Route 53 public hosted zone" });
    }
    const email = value("alertEmail");
    if (email !== undefined && isReservedName(email.split("@").pop() ?? "")) {
        found.push({ key: "alertEmail", value: email, fix: "no mail is ever delivered to a reserved documentation domain: set the on-call address" });
    }
    const ami = value("webAmiId");
    if (ami !== undefined && PLACEHOLDER_AMI_IDS.includes(ami)) {
        found.push({
            key: "webAmiId",
            value: ami,
            fix: "the AWS documentation's example AMI: pin a current Amazon Linux 2023 AMI (`aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --query Parameter.Value --output text`, x86_64 for Intel/AMD types)",
        });
    }
    const account = value("awsAccountId");
    if (account !== undefined && PLACEHOLDER_ACCOUNT_IDS.includes(account)) {
        found.push({ key: "awsAccountId", value: account, fix: "the AWS documentation's example account: set the target account's id (`aws sts get-caller-identity --query Account --output text`)" });
    }
    return found;
}

/** One line per placeholder, naming the key: for errors, warnings and the preflight. */
export function placeholderLines(found: readonly Placeholder[]): string[] {
    return found.map((p) => `\`${p.key}\` is still a placeholder (${JSON.stringify(p.value)}): ${p.fix}`);
}
