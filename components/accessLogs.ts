import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { REGION_PATTERN, accessLogObjectArn, accessLogPrefixProblem, elbLogDeliveryPrincipal } from "./lib/elbLogDelivery";

export interface AccessLogBucketArgs {
    /**
     * The stack's AWS region, e.g. `us-east-1`. It decides who delivers the logs: the regional ELB
     * account in regions older than August 2022, the ELB log-delivery service principal in newer ones.
     * The load balancer must be in this region too (ELB only writes to a bucket in its own region).
     */
    readonly region: string;
    /**
     * Days after which access-log objects expire (S3 lifecycle). Expiring a version-enabled object
     * keeps it as a noncurrent version for `noncurrentVersionExpirationDays` more: the logs (client IP
     * addresses are personal data) are kept for at most `maxRetentionDays` = the sum of both.
     * @default 90
     */
    readonly expirationDays?: number;
    /**
     * Days an expired, deleted or overwritten log object stays as a noncurrent version before S3
     * removes it for good. The bucket is versioned so that a log deleted by hand (covering tracks) can be
     * restored within this window; every expired log sits in the same window, so it adds to the
     * retention of client data. Short by default: raise it only where recovering deleted logs for longer
     * matters more than keeping them no longer than `expirationDays`.
     * @default 1
     */
    readonly noncurrentVersionExpirationDays?: number;
    /**
     * Key prefix the load balancer writes under (`<prefix>/AWSLogs/<account>/…`); `""` for none.
     * @default "alb"
     */
    readonly prefix?: string;
    /**
     * Let `pulumi destroy` delete the bucket with its logs in it. Off, a destroy fails on a non-empty
     * bucket, so no evidence is lost by accident; turn it on for throwaway stacks only.
     * @default false
     */
    readonly forceDestroy?: boolean;
    /**
     * Pulumi `protect` on the bucket: a destroy, or a change that would replace it, is refused until
     * someone runs `pulumi state unprotect`. The stack sets it with `deletionProtection`.
     * @default false
     */
    readonly protect?: boolean;
    /**
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}

/** Defaults and validation of AccessLogBucketArgs: pure, runs before anything is registered. */
function resolveAccessLogBucketArgs(name: string, args: AccessLogBucketArgs) {
    const expirationDays = args.expirationDays ?? 90;
    // 1 day, not S3's usual 30: an expired log lives on as a noncurrent version, so this is added to
    // `expirationDays` for every log, not only for the rare one deleted by hand.
    const noncurrentDays = args.noncurrentVersionExpirationDays ?? 1;
    const prefix = args.prefix ?? "alb";
    const forceDestroy = args.forceDestroy ?? false;
    const tags = args.tags ?? {};

    if (typeof args.region !== "string" || !REGION_PATTERN.test(args.region)) {
        throw new Error(`AccessLogBucket ${name}: \`region\` must be an AWS region code such as us-east-1 (got ${JSON.stringify(args.region)})`);
    }
    if (!Number.isInteger(expirationDays) || expirationDays < 1 || expirationDays > 3650) {
        throw new Error(`AccessLogBucket ${name}: \`expirationDays\` must be a whole number of days from 1 to 3650 (got ${expirationDays})`);
    }
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1 || noncurrentDays > 3650) {
        throw new Error(`AccessLogBucket ${name}: \`noncurrentVersionExpirationDays\` must be a whole number of days from 1 to 3650 (got ${noncurrentDays})`);
    }
    const problem = accessLogPrefixProblem(prefix);
    if (problem !== undefined) {
        throw new Error(`AccessLogBucket ${name}: \`prefix\` ${problem} (got ${JSON.stringify(prefix)})`);
    }
    return { region: args.region, expirationDays, noncurrentDays, prefix, forceDestroy, tags };
}

/**
 * An S3 bucket for Application Load Balancer access logs.
 *
 * Private (all four public-access blocks on, ACLs disabled: the bucket owner owns every object),
 * encrypted with SSE-S3 (the only default encryption ELB log delivery supports), versioned, expiring
 * logs after `expirationDays` and their noncurrent versions `noncurrentVersionExpirationDays` later
 * (`maxRetentionDays` in all). Its bucket policy refuses any request not made over TLS 1.2+ and lets
 * the regional ELB log delivery do exactly one thing: `s3:PutObject` under
 * `<prefix>/AWSLogs/<this account>/`.
 *
 * Give the load balancer `bucketName`: it is read from the bucket policy, so the load balancer is only
 * configured once ELB may write there (AWS tests the write when access logging is turned on).
 */
export class AccessLogBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    /** The bucket's name, taken from the bucket policy so that dependants wait for the policy. */
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** Key prefix for the load balancer's `accessLogs.prefix` (`""` means none). */
    public readonly prefix: string;
    /**
     * The longest a log object is kept, in days: `expirationDays` as the current version, then
     * `noncurrentVersionExpirationDays` as a noncurrent one. S3 rounds each lifecycle date up to the next
     * midnight UTC and removes expired objects asynchronously, so allow about a day more per step.
     */
    public readonly maxRetentionDays: number;

    constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        const { region, expirationDays, noncurrentDays, prefix, forceDestroy, tags } = resolveAccessLogBucketArgs(name, args);
        super("web-infra:security:AccessLogBucket", name, {}, opts);
        const parent = { parent: this };
        this.prefix = prefix;
        this.maxRetentionDays = expirationDays + noncurrentDays;

        // Auto-named (`<name>-bucket-<suffix>`, lower-cased): bucket names are global across all AWS
        // accounts, so a fixed name could already be taken.
        this.bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy, tags: { ...tags, Name: `${name}-bucket` } }, { parent: this, protect: args.protect ?? false });
        this.bucketArn = this.bucket.arn;

        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: this.bucket.id, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
            parent,
        );
        // ACLs off: objects ELB writes belong to the bucket owner, and no ACL can ever grant access.
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        // SSE-S3 (AES256), not SSE-KMS: "The only server-side encryption option that's supported is
        // Amazon S3-managed keys (SSE-S3)" for ALB access logs; with a KMS default, delivery fails.
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: this.bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            parent,
        );
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: this.bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: expirationDays },
                        noncurrentVersionExpiration: { noncurrentDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                    {
                        // Expiring a current version leaves a delete marker; once its noncurrent versions
                        // are gone it is an "expired object delete marker", removed here. S3 refuses this
                        // flag in a rule that also sets `days`, hence a rule of its own.
                        id: "remove-expired-delete-markers",
                        status: "Enabled",
                        filter: {},
                        expiration: { expiredObjectDeleteMarker: true },
                    },
                ],
            },
            // Lifecycle rules on noncurrent versions need versioning switched on first.
            { parent: this, dependsOn: [versioning] },
        );

        const caller = aws.getCallerIdentityOutput({}, parent);
        const policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: this.bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        {
                            Sid: "DenyOutdatedTls",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
                        },
                        {
                            Sid: "AllowElbLogDelivery",
                            Effect: "Allow",
                            Principal: elbLogDeliveryPrincipal(region),
                            Action: "s3:PutObject",
                            Resource: pulumi
                                .all([this.bucket.arn, caller.accountId])
                                .apply(([bucketArn, accountId]) => accessLogObjectArn(bucketArn, prefix, accountId)),
                        },
                    ],
                }),
            },
            // S3 rejects a bucket policy while the public access block is being applied ("A conflicting
            // conditional operation is currently in progress"), and the block must be in place before
            // any policy exists: terraform-provider-aws#7628.
            { parent: this, dependsOn: [publicAccessBlock] },
        );
        this.bucketName = policy.bucket;

        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, prefix: this.prefix, maxRetentionDays: this.maxRetentionDays });
    }
}
