/**
 * The master credentials: a generated password, and the Secrets Manager secret that holds it with the
 * rest of what a client needs, readable by whoever the stack grants (the web servers' role reads exactly
 * this secret).
 *
 * Both deployments use the generated password. RDS-managed master passwords (`manageMasterUserPassword`)
 * rule out read replicas of an instance (terraform-aws-rds #512, #532; AWS-NOTES.md), so the instance
 * deployment can't have them; a Multi-AZ DB cluster could, but then its secret would be RDS's (name,
 * rotation and JSON fields RDS's, no `host` or `dbname`), and the web role's policy, the user data and
 * the runbooks would differ by deployment. One secret of ours, same JSON, same policy, for both.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_PASSWORD_LENGTH, MYSQL_PORT, PASSWORD_SPECIAL_CHARACTERS } from "../lib/rds";

/** The generated master password, as a Pulumi secret (never in plain text in state or plans). */
export function createMasterPassword(parent: pulumi.Resource, name: string): pulumi.Output<string> {
    const password = new random.RandomPassword(
        `${name}-master-password`,
        {
            length: GENERATED_PASSWORD_LENGTH,
            special: true,
            overrideSpecial: PASSWORD_SPECIAL_CHARACTERS,
            minUpper: 2,
            minLower: 2,
            minNumeric: 2,
            minSpecial: 2,
        },
        { parent },
    );
    return pulumi.secret(password.result);
}

export interface CredentialsSecretArgs {
    /** The plain `writer` name (not a record's output: see DatabaseEndpoints). */
    readonly writerHost: string;
    readonly username: string;
    readonly password: pulumi.Output<string>;
    readonly dbName: string;
    /** Protect the secret like the writer: it holds the only copy of the password outside RDS. */
    readonly protect: boolean;
    readonly tags: Record<string, string>;
}

export function createCredentialsSecret(parent: pulumi.Resource, name: string, a: CredentialsSecretArgs): aws.secretsmanager.Secret {
    const secret = new aws.secretsmanager.Secret(
        `${name}-credentials`,
        {
            description: `Master credentials of the ${name} MySQL database: JSON {engine, host (the writer name), port, username, password, dbname}`,
            // A deleted secret can be restored for a week; 0 would delete it at once.
            recoveryWindowInDays: 7,
            tags: { ...a.tags, Name: `${name}-credentials` },
        },
        { parent, protect: a.protect },
    );
    new aws.secretsmanager.SecretVersion(
        `${name}-credentials-value`,
        {
            secretId: secret.id,
            // The field names of the RDS MySQL rotation functions, so rotation can be added later.
            secretString: pulumi.secret(
                pulumi.jsonStringify({
                    engine: "mysql",
                    // The plain name, not the record's output: a value unknown in a preview (at a
                    // promotion the writer record changes) would show the secret's value as changing.
                    host: a.writerHost,
                    port: MYSQL_PORT,
                    username: a.username,
                    password: a.password,
                    dbname: a.dbName,
                }),
            ),
        },
        { parent },
    );
    return secret;
}
