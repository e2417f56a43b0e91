/**
 * Who delivers Application Load Balancer access logs in a region, and where. Pure: no Pulumi, no
 * AWS calls, so every region kind is unit-tested.
 *
 * AWS documents two bucket-policy principals ("Enable access logs for your Application Load
 * Balancer", step 2, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):
 * - regions available before August 2022: the regional Elastic Load Balancing account
 *   (`arn:aws:iam::<elb-account-id>:root`), one account per region, listed below;
 * - regions available since August 2022 (Hyderabad, Melbourne, Calgary, Spain, Zurich, Tel Aviv,
 *   UAE, Malaysia, Thailand, Mexico, Taipei, …): the service principal
 *   `logdelivery.elasticloadbalancing.amazonaws.com`.
 * The account table is frozen (new regions only get the service principal), so it is kept here
 * rather than asked of `aws.elb.getServiceAccount`, whose own table has no account for the newer
 * regions; a test checks that both agree where the harness models the data source.
 */

/** Regional ELB log-delivery accounts of the regions that predate August 2022, from the AWS guide. */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-south-1": "718504428378",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-south-1": "635631232127",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
};

/** Service principal that delivers ALB access logs in regions opened since August 2022. */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** An AWS region code: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, … */
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

/** The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`), for ARNs built by hand. */
export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** A bucket-policy `Principal` block. */
export type PolicyPrincipal = { readonly AWS: string } | { readonly Service: string };

/** The principal to grant `s3:PutObject` for ALB access logs in `region`. */
export function elbLogDeliveryPrincipal(region: string): PolicyPrincipal {
    if (!REGION_PATTERN.test(region)) {
        throw new Error(`\`region\` must be an AWS region code such as us-east-1 (got ${JSON.stringify(region)})`);
    }
    const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
    return account !== undefined ? { AWS: `arn:${partitionOf(region)}:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_SERVICE };
}

/**
 * The object ARN pattern ELB writes to: `<bucket>/<prefix>/AWSLogs/<account>/*`, without the prefix
 * segment when the prefix is empty. Granting exactly this (not `<bucket>/*`) keeps the delivery
 * principal out of everything else in the bucket and out of other accounts' log paths.
 */
export function accessLogObjectArn(bucketArn: string, prefix: string, accountId: string): string {
    return `${bucketArn}/${prefix === "" ? "" : `${prefix}/`}AWSLogs/${accountId}/*`;
}

/**
 * Problems with an access-log prefix, or undefined when it is fine. AWS rejects a prefix containing
 * `AWSLogs` (it adds that segment itself); a leading or trailing slash would produce `//` in keys.
 */
export function accessLogPrefixProblem(prefix: string): string | undefined {
    if (prefix.includes("AWSLogs")) return "must not contain AWSLogs (ELB appends /AWSLogs/<account>/ itself)";
    if (prefix.startsWith("/") || prefix.endsWith("/")) return "must not start or end with /";
    if (!/^[A-Za-z0-9!\-_.*'()/]*$/.test(prefix)) return "may use only letters, digits, / and ! - _ . * ' ( ) (S3 safe key characters)";
    if (prefix.length > 200) return "must be at most 200 characters";
    return undefined;
}
