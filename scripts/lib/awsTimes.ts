/**
 * The AWS timing facts the recovery-time report uses, each with the document that states it. The report
 * reads every other figure from the declared resources; these are what AWS does on its own side.
 * docs/recovery.md lists them (a test keeps that list and this table the same).
 *
 * `assumption: true` marks a figure AWS does not publish: the report names it as an assumption
 * wherever it uses it, never as a fact. The web fleet's own assumptions (Auto Scaling's reaction, an EC2
 * launch, a Standby instance going InService) live with its timing model: scripts/lib/fleet.ts ASSUMED_SECONDS.
 */
export interface AwsTime {
    /** Seconds, as a range (low = high for a single figure). */
    readonly low: number;
    readonly high: number;
    /** What takes this long. */
    readonly what: string;
    /** The AWS document. */
    readonly source: string;
    /** What it says, in its words (or, for an assumption, why this figure). */
    readonly says: string;
    readonly assumption?: boolean;
}

export const AWS_TIMES = {
    multiAzInstanceFailover: {
        low: 60,
        high: 120,
        what: "RDS Multi-AZ DB instance: automatic failover to the standby, detection included",
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html",
        says: "Failover times are typically 60–120 seconds.",
    },
    multiAzClusterFailover: {
        low: 0,
        high: 35,
        what: "RDS Multi-AZ DB cluster: automatic failover to a readable standby, detection included",
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverDBCluster.html",
        says: "Failover times are typically less than 35 seconds.",
    },
    elbDnsTtl: {
        low: 60,
        high: 60,
        what: "TTL of the load balancer's DNS answers (an alias record to it uses the same)",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html#request-routing",
        says: "The DNS entry [...] has a TTL of 60 seconds (Route 53 FAQ: alias records to ELB have a fixed TTL of 60 seconds).",
    },
    elbNodeRemoval: {
        low: 0,
        high: 0,
        what: "ELB taking a failed load balancer node out of its DNS answers",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html",
        says: "AWS publishes no figure for how fast ELB notices a failed node; counted as 0 s, so the figure is the TTL clients cache.",
        assumption: true,
    },
    route53Propagation: {
        low: 0,
        high: 60,
        what: "a Route 53 record change reaching every Route 53 name server",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-delete.html",
        says: "If using Route 53, the record change takes 60 seconds to propagate to all global Route 53 name servers.",
    },
    pointInTimeRestoreLag: {
        low: 0,
        high: 300,
        what: "how far behind now the latest restorable time of an RDS database is (transaction logs uploaded to S3)",
        source: "https://aws.amazon.com/rds/details/backup/",
        says: "The latest restorable time for a DB instance is typically within 5 minutes of the current time.",
    },
    multiAzInstanceReplication: {
        low: 0,
        high: 0,
        what: "committed writes lost when a Multi-AZ DB instance fails over (synchronous standby)",
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html",
        says: "Amazon RDS automatically provisions and maintains a synchronous standby replica in a different Availability Zone.",
    },
    multiAzClusterReplication: {
        low: 0,
        high: 0,
        what: "committed writes lost when a Multi-AZ DB cluster fails over (semi-synchronous readers)",
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html",
        says: "Semisynchronous replication [...] requires acknowledgment from at least one reader DB instance in order for a change to be committed.",
    },
} as const satisfies Record<string, AwsTime>;

export type AwsTimeName = keyof typeof AWS_TIMES;
