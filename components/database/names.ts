/**
 * The stable names: a private hosted zone with `writer` (always whatever takes writes) and `reader`
 * (spread over whatever serves reads), so applications never change a connection string when the
 * writer or the deployment changes.
 *
 * - Instance deployment: `writer` → the writer instance; `reader` → one weighted record per replica,
 *   each with a Route 53 health check on a liveness alarm of the replica, plus a zero-weight record to
 *   the writer that Route 53 answers only while no replica is healthy.
 * - Multi-AZ DB cluster: `writer` → the cluster (writer) endpoint, `reader` → the cluster's reader
 *   endpoint, which RDS keeps pointed at the healthy readable standbys through a failover.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { READER_HEALTH_ALARM, WRITER_FALLBACK_SET_IDENTIFIER, readerHealthAlarmName } from "../lib/rds";

/** 30 s: after a writer change clients follow within half a minute of the record change (RDS's own
 * endpoints use 5 s); longer would stretch every failover. Route 53 recommends 60 s or less for records
 * with health checks, for the same reason. */
export const RECORD_TTL_SECONDS = 30;

/** `setIdentifier` of the cluster's one weighted `reader` record. Weighted, like the instance deployment's, so that the two can coexist during a migration (Route 53 refuses a simple and a weighted set of one name). */
export const CLUSTER_READER_SET_IDENTIFIER = "cluster-reader";

export interface NamedReader {
    /** Label and set identifier, e.g. `replica-1`. */
    readonly slot: string;
    readonly address: pulumi.Input<string>;
    /** RDS identifier of the replica (the reader-health alarm's dimension and name). */
    readonly identifier: pulumi.Output<string>;
}

export interface StableNamesArgs {
    readonly vpcId: pulumi.Input<string>;
    readonly zoneName: string;
    readonly writerAddress: pulumi.Input<string>;
    /** What the `writer` record waits for. */
    readonly writerDependsOn: pulumi.Resource[];
    /** Instance deployment: the replicas, each behind a health check. */
    readonly replicas?: readonly NamedReader[];
    /** Multi-AZ DB cluster: its reader endpoint (no health checks: RDS keeps the endpoint on healthy standbys). */
    readonly clusterReaderEndpoint?: pulumi.Input<string>;
    readonly tags: Record<string, string>;
}

export interface StableNames {
    readonly zoneId: pulumi.Output<string>;
    readonly writerHost: string;
    readonly readerHost: string;
    readonly writerRecord: aws.route53.Record;
    readonly readerRecords: aws.route53.Record[];
    /** Route 53 health check of each replica's `reader` record, same order (none for the cluster). */
    readonly readerHealthCheckIds: pulumi.Output<string>[];
}

export function createStableNames(parent: pulumi.Resource, name: string, a: StableNamesArgs): StableNames {
    const opts = { parent };
    const tags = a.tags;
    const zone = new aws.route53.Zone(
        `${name}-zone`,
        {
            name: a.zoneName,
            comment: `Stable writer/reader names of the ${name} database; resolvable only inside the VPC`,
            vpcs: [{ vpcId: a.vpcId }],
            tags: { ...tags, Name: `${name}-zone` },
        },
        opts,
    );
    const ttl = RECORD_TTL_SECONDS;
    const writerHost = `writer.${a.zoneName}`;
    const readerHost = `reader.${a.zoneName}`;
    const writerRecord = new aws.route53.Record(
        `${name}-writer`,
        { zoneId: zone.zoneId, name: writerHost, type: "CNAME", ttl, records: [a.writerAddress] },
        { parent, dependsOn: a.writerDependsOn },
    );

    // `reader`: weighted records, one per replica with equal weights, so resolvers spread reads. Always
    // weighted, even with one target: Route 53 refuses a simple and a weighted record set of the same
    // name, so switching between them would fail while both exist.
    const readerRecord = (id: string, address: pulumi.Input<string>, weight: number, healthCheckId?: pulumi.Output<string>) =>
        new aws.route53.Record(
            `${name}-reader-${id}`,
            {
                zoneId: zone.zoneId,
                name: readerHost,
                type: "CNAME",
                ttl,
                setIdentifier: id,
                weightedRoutingPolicies: [{ weight }],
                ...(healthCheckId !== undefined ? { healthCheckId } : {}),
                records: [address],
            },
            opts,
        );

    if (a.clusterReaderEndpoint !== undefined) {
        const readerRecords = [readerRecord(CLUSTER_READER_SET_IDENTIFIER, a.clusterReaderEndpoint, 1)];
        return { zoneId: zone.zoneId, writerHost, readerHost, writerRecord, readerRecords, readerHealthCheckIds: [] };
    }

    // Failover (Route 53 Developer Guide, "How Amazon Route 53 chooses records when health checking is
    // configured", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html,
    // and "Weighted routing" → "Health checks and weighted routing"):
    // - "Records without a health check are always healthy": without one, Route 53 keeps answering
    //   with a dead replica (with one replica, every read fails while its zone is down). So each
    //   replica's record has a health check, and since Route 53's checkers are outside the VPC, it is
    //   one of type CLOUDWATCH_METRIC on a liveness alarm of the replica (lib/rds.ts,
    //   READER_HEALTH_ALARM; the private-hosted-zone way, "Configuring failover in a private hosted zone").
    // - "Weighted records that have a weight of 0": Route 53 "initially considers only the nonzero
    //   weighted records", and "if all the records that have a weight greater than 0 are unhealthy,
    //   then Route 53 considers the zero-weighted records". So one more record, weight 0, points at the
    //   writer: it gets reads only while no replica is healthy. It has no health check, so it is then
    //   always an answer; without it, "if no record is healthy, all records are healthy" and Route 53
    //   would answer with a dead replica again.
    // With no replicas, one record to the writer with weight 1.
    const replicas = a.replicas ?? [];
    const region = aws.getRegionOutput({}, opts).region;
    const healthChecks = replicas.map((replica) => {
        const role = `${name}-${replica.slot}-reader-health`;
        const alarm = new aws.cloudwatch.MetricAlarm(
            role,
            {
                // After the replica's identifier: unique in the account and region, and new for a new
                // replica, so its health check is re-pointed (Route 53 doesn't follow alarm changes).
                // The instance's output, not the planned identifier: a re-created replica's alarm, and so
                // its check, switch once the new instance exists, together with its record (with the
                // planned one the check would follow a replica that doesn't exist yet, and Route 53 would
                // drop the old replica from the answers for the 10-30 minutes the new one takes).
                name: replica.identifier.apply(readerHealthAlarmName),
                alarmDescription:
                    `Route 53 health of ${name}'s ${replica.slot} in the ${readerHost} answers: ALARM when the replica has sent no metrics for 2 minutes ` +
                    "(stopped, failed, rebooting, or its host or zone is down), and Route 53 then stops answering reader with it. " +
                    "No actions on purpose: the Monitoring component's liveness alarm pages.",
                ...READER_HEALTH_ALARM,
                dimensions: { DBInstanceIdentifier: replica.identifier },
                actionsEnabled: false,
                tags: { ...tags, Name: role },
            },
            opts,
        );
        return new aws.route53.HealthCheck(
            role,
            {
                type: "CLOUDWATCH_METRIC",
                cloudwatchAlarmName: alarm.name,
                cloudwatchAlarmRegion: region,
                // No data about the alarm is no evidence that the replica serves.
                insufficientDataHealthStatus: "Unhealthy",
                // Route 53 copies the alarm's settings when the check is created or updated; a change of
                // them here updates the check too, so it never follows a stale copy.
                triggers: { alarm: JSON.stringify(READER_HEALTH_ALARM) },
                tags: { ...tags, Name: role },
            },
            opts,
        );
    });
    const readerRecords =
        replicas.length === 0
            ? [readerRecord("writer", a.writerAddress, 1)]
            : [...replicas.map((r, i) => readerRecord(r.slot, r.address, 1, healthChecks[i].id)), readerRecord(WRITER_FALLBACK_SET_IDENTIFIER, a.writerAddress, 0)];
    return { zoneId: zone.zoneId, writerHost, readerHost, writerRecord, readerRecords, readerHealthCheckIds: healthChecks.map((c) => c.id) };
}
