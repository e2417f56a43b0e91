import { ACCOUNT_ID, RecordedResource, allResources, descendantsOf, invokeResult, resourceNamed, settle, setupMocks } from "./mocks";
import {
    ELB_LOG_DELIVERY_ACCOUNTS,
    ELB_LOG_DELIVERY_SERVICE,
    accessLogObjectArn,
    accessLogPrefixProblem,
    elbLogDeliveryPrincipal,
    partitionOf,
} from "../components/lib/elbLogDelivery";

const BUCKET = "aws:s3/bucket:Bucket";
const BPA = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LB = "aws:lb/loadBalancer:LoadBalancer";

// ---------------------------------------------------------------------------------------------------
// Pure helpers.

describe("ELB log delivery principal (pure)", () => {
    it.each([
        ["us-east-1", { AWS: "arn:aws:iam::127311923021:root" }],
        ["eu-central-1", { AWS: "arn:aws:iam::054676820928:root" }],
        ["ap-southeast-3", { AWS: "arn:aws:iam::589379963580:root" }],
        ["us-gov-west-1", { AWS: "arn:aws-us-gov:iam::048591011584:root" }],
        ["cn-north-1", { AWS: "arn:aws-cn:iam::638102146993:root" }],
        // Opened since August 2022: only the service principal works there.
        ["ap-south-2", { Service: ELB_LOG_DELIVERY_SERVICE }],
        ["ap-southeast-4", { Service: ELB_LOG_DELIVERY_SERVICE }],
        ["ca-west-1", { Service: ELB_LOG_DELIVERY_SERVICE }],
        ["eu-south-2", { Service: ELB_LOG_DELIVERY_SERVICE }],
        ["eu-central-2", { Service: ELB_LOG_DELIVERY_SERVICE }],
        ["il-central-1", { Service: ELB_LOG_DELIVERY_SERVICE }],
        ["me-central-1", { Service: ELB_LOG_DELIVERY_SERVICE }],
        ["mx-central-1", { Service: ELB_LOG_DELIVERY_SERVICE }],
    ])("%s → %j", (region, principal) => {
        expect(elbLogDeliveryPrincipal(region)).toEqual(principal);
    });

    it("agrees with the provider's aws.elb.getServiceAccount for every region the harness models", () => {
        for (const region of ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"]) {
            expect(elbLogDeliveryPrincipal(region)).toEqual({ AWS: invokeResult("aws:elb/getServiceAccount:getServiceAccount", { region }).arn });
        }
    });

    it("lists 26 distinct 12-digit ELB accounts, one per pre-August-2022 region", () => {
        const accounts = Object.values(ELB_LOG_DELIVERY_ACCOUNTS);
        expect(accounts).toHaveLength(26);
        expect(new Set(accounts).size).toBe(26);
        expect(accounts.every((a) => /^\d{12}$/.test(a))).toBe(true);
    });

    it("rejects something that is not a region code", () => {
        expect(() => elbLogDeliveryPrincipal("US East")).toThrow('`region` must be an AWS region code such as us-east-1 (got "US East")');
    });

    it.each([
        ["us-east-1", "aws"],
        ["eu-south-2", "aws"],
        ["cn-northwest-1", "aws-cn"],
        ["us-gov-east-1", "aws-us-gov"],
    ])("partitionOf(%s) is %s", (region, partition) => {
        expect(partitionOf(region)).toBe(partition);
    });

    it.each([
        ["alb", "arn:aws:s3:::logs/alb/AWSLogs/123456789012/*"],
        ["prod/alb", "arn:aws:s3:::logs/prod/alb/AWSLogs/123456789012/*"],
        ["", "arn:aws:s3:::logs/AWSLogs/123456789012/*"],
    ])("grants delivery under prefix %j only: %s", (prefix, arn) => {
        expect(accessLogObjectArn("arn:aws:s3:::logs", prefix, "123456789012")).toBe(arn);
    });

    it.each([
        ["alb", "alb", undefined],
        ["empty", "", undefined],
        ["nested", "a/b-c_d.e", undefined],
        ["AWSLogs", "logs/AWSLogs", "must not contain AWSLogs (ELB appends /AWSLogs/<account>/ itself)"],
        ["leading slash", "/alb", "must not start or end with /"],
        ["trailing slash", "alb/", "must not start or end with /"],
        ["space", "a b", "may use only letters, digits, / and ! - _ . * ' ( ) (S3 safe key characters)"],
        ["201 characters", "x".repeat(201), "must be at most 200 characters"],
    ])("prefix check: %s", (_label, prefix, problem) => {
        expect(accessLogPrefixProblem(prefix)).toBe(problem);
    });
});

// ---------------------------------------------------------------------------------------------------
// The component under the mocks, in a region older than August 2022.

function statements(policy: RecordedResource): any[] {
    return JSON.parse(policy.inputs.policy).Statement;
}

describe("AccessLogBucket (us-east-1)", () => {
    const errors: Record<string, string> = {};
    let maxRetentionDays: Record<string, number> = {};

    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "us-east-1" } });
        const aws = await import("@pulumi/aws");
        const { Network } = await import("../components/network");
        const { AccessLogBucket } = await import("../components/accessLogs");
        const network = new Network("net", { availabilityZones: ["us-east-1a", "us-east-1b"] });
        const logs = new AccessLogBucket("logs", { region: "us-east-1", expirationDays: 30, tags: { Purpose: "alb-access-logs" } });
        const flat = new AccessLogBucket("flat", { region: "us-east-1", prefix: "", forceDestroy: true });
        const long = new AccessLogBucket("long", { region: "us-east-1", expirationDays: 365, noncurrentVersionExpirationDays: 7 });
        maxRetentionDays = { logs: logs.maxRetentionDays, flat: flat.maxRetentionDays, long: long.maxRetentionDays };
        // What the web tier does with it: the load balancer must wait for the bucket policy.
        new aws.lb.LoadBalancer("alb", {
            loadBalancerType: "application",
            subnets: network.publicSubnetIds,
            accessLogs: { bucket: logs.bucketName, prefix: logs.prefix, enabled: true },
        });

        const attempt = (label: string, args: Record<string, unknown>) => {
            try {
                new AccessLogBucket(`bad-${label}`, args as any);
            } catch (e) {
                errors[label] = (e as Error).message;
            }
        };
        attempt("region", { region: "Virginia" });
        attempt("expiration", { region: "us-east-1", expirationDays: 0 });
        attempt("noncurrent", { region: "us-east-1", noncurrentVersionExpirationDays: 1.5 });
        attempt("prefix", { region: "us-east-1", prefix: "logs/AWSLogs" });
        await settle();
    });

    const bucket = () => resourceNamed(BUCKET, "logs-bucket");
    const policy = () => resourceNamed(POLICY, "logs-policy");

    it("keeps its logs on destroy unless told otherwise", () => {
        expect(bucket().inputs.forceDestroy).toBe(false);
        expect(resourceNamed(BUCKET, "flat-bucket").inputs.forceDestroy).toBe(true);
        expect(bucket().inputs.tags).toEqual({ Purpose: "alb-access-logs", Name: "logs-bucket" });
    });

    it("blocks every kind of public access and disables ACLs", () => {
        expect(resourceNamed(BPA, "logs-public-access-block").inputs).toEqual({
            bucket: bucket().id,
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: true,
        });
        expect(resourceNamed(OWNERSHIP, "logs-ownership").inputs).toEqual({ bucket: bucket().id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    });

    it("encrypts with SSE-S3 (AES256), the only default encryption ALB log delivery supports", () => {
        const sse = resourceNamed(SSE, "logs-encryption").inputs;
        expect(sse.bucket).toBe(bucket().id);
        expect(sse.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        expect(JSON.stringify(sse)).not.toMatch(/kms/i);
    });

    it("is versioned, expires logs after expirationDays and their noncurrent versions 1 day later", () => {
        expect(resourceNamed(VERSIONING, "logs-versioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
        const lifecycle = resourceNamed(LIFECYCLE, "logs-lifecycle");
        expect(lifecycle.inputs.rules).toEqual([
            {
                id: "expire-access-logs",
                status: "Enabled",
                filter: {},
                expiration: { days: 30 },
                noncurrentVersionExpiration: { noncurrentDays: 1 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
            { id: "remove-expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
        ]);
        expect(lifecycle.dependencies).toContain(resourceNamed(VERSIONING, "logs-versioning").urn);
        expect(resourceNamed(LIFECYCLE, "flat-lifecycle").inputs.rules[0].expiration).toEqual({ days: 90 });
    });

    it.each([
        ["logs", 30, 1, 31],
        ["flat", 90, 1, 91],
        ["long", 365, 7, 372],
    ])("%s: keeps a log at most maxRetentionDays = %d days current + %d days noncurrent = %d", (name, current, noncurrent, max) => {
        // What the lifecycle rule does to every log: expire it (it becomes noncurrent), then delete that version.
        const rule = resourceNamed(LIFECYCLE, `${name}-lifecycle`).inputs.rules[0];
        expect([rule.expiration.days, rule.noncurrentVersionExpiration.noncurrentDays]).toEqual([current, noncurrent]);
        expect(maxRetentionDays[name]).toBe(max);
        expect(maxRetentionDays[name]).toBe(rule.expiration.days + rule.noncurrentVersionExpiration.noncurrentDays);
    });

    it("denies every request that is not over TLS 1.2 or later", () => {
        const arn = bucket().state.arn;
        const deny = statements(policy()).filter((s) => s.Effect === "Deny");
        expect(deny).toEqual([
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
        ]);
    });

    it("grants the regional ELB account exactly s3:PutObject under <prefix>/AWSLogs/<account>/, and nothing else is allowed", () => {
        const allow = statements(policy()).filter((s) => s.Effect === "Allow");
        expect(allow).toEqual([
            {
                Sid: "AllowElbLogDelivery",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::127311923021:root" },
                Action: "s3:PutObject",
                Resource: `${bucket().state.arn}/alb/AWSLogs/${ACCOUNT_ID}/*`,
            },
        ]);
        expect(policy().inputs.bucket).toBe(bucket().id);
        const flat = statements(resourceNamed(POLICY, "flat-policy")).find((s) => s.Effect === "Allow");
        expect(flat.Resource).toBe(`${resourceNamed(BUCKET, "flat-bucket").state.arn}/AWSLogs/${ACCOUNT_ID}/*`);
    });

    it("applies the bucket policy only after the public access block", () => {
        expect(policy().dependencies).toContain(resourceNamed(BPA, "logs-public-access-block").urn);
    });

    it("hands the load balancer a bucket name that comes from the bucket policy, so the LB waits for it", () => {
        const lb = resourceNamed(LB, "alb");
        expect(lb.inputs.accessLogs).toEqual({ bucket: bucket().state.bucket, prefix: "alb", enabled: true });
        expect(lb.propertyDependencies.accessLogs).toContain(policy().urn);
    });

    it("parents every resource to the component", () => {
        const component = resourceNamed("web-infra:security:AccessLogBucket", "logs");
        expect(descendantsOf(component.urn).map((r) => r.name).sort()).toEqual(
            ["logs-bucket", "logs-encryption", "logs-lifecycle", "logs-ownership", "logs-policy", "logs-public-access-block", "logs-versioning"].sort(),
        );
    });

    it.each([
        ["region", 'AccessLogBucket bad-region: `region` must be an AWS region code such as us-east-1 (got "Virginia")'],
        ["expiration", "AccessLogBucket bad-expiration: `expirationDays` must be a whole number of days from 1 to 3650 (got 0)"],
        ["noncurrent", "AccessLogBucket bad-noncurrent: `noncurrentVersionExpirationDays` must be a whole number of days from 1 to 3650 (got 1.5)"],
        ["prefix", 'AccessLogBucket bad-prefix: `prefix` must not contain AWSLogs (ELB appends /AWSLogs/<account>/ itself) (got "logs/AWSLogs")'],
    ])("rejects bad args (%s) with an exact message, before registering anything", (label, message) => {
        expect(errors[label]).toBe(message);
        expect(allResources().filter((r) => r.name.startsWith(`bad-${label}`))).toEqual([]);
    });
});

describe("AccessLogBucket (eu-south-2, opened after August 2022)", () => {
    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "eu-south-2" } });
        const { AccessLogBucket } = await import("../components/accessLogs");
        new AccessLogBucket("logs", { region: "eu-south-2" });
        await settle();
    });

    it("grants the ELB log-delivery service principal instead of an account, with the same narrow scope", () => {
        const allow = statements(resourceNamed(POLICY, "logs-policy")).filter((s) => s.Effect === "Allow");
        expect(allow).toEqual([
            {
                Sid: "AllowElbLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${resourceNamed(BUCKET, "logs-bucket").state.arn}/alb/AWSLogs/${ACCOUNT_ID}/*`,
            },
        ]);
    });
});
