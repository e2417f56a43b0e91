/** The IAM role RDS Enhanced Monitoring assumes to publish OS metrics of the database's instances. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface MonitoringRole {
    readonly roleArn: pulumi.Output<string>;
    /** What an instance or cluster with Enhanced Monitoring must wait for (the policy attachment). */
    readonly dependencies: pulumi.Resource[];
}

/**
 * @param cluster also trust RDS for the account's DB clusters (a Multi-AZ DB cluster turns Enhanced
 *   Monitoring on at cluster level)
 */
export function createMonitoringRole(parent: pulumi.Resource, name: string, tags: Record<string, string>, cluster: boolean): MonitoringRole {
    const opts = { parent };
    const caller = aws.getCallerIdentityOutput({}, opts);
    const region = aws.getRegionOutput({}, opts);
    const partition = aws.getPartitionOutput({}, opts);
    const arn = (resource: string) => pulumi.interpolate`arn:${partition.partition}:rds:${region.region}:${caller.accountId}:${resource}:*`;
    const role = new aws.iam.Role(
        `${name}-monitoring-role`,
        {
            description: `Lets RDS Enhanced Monitoring publish OS metrics of ${name}'s instances to CloudWatch Logs`,
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "monitoring.rds.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        // Confused-deputy guard: only RDS instances (and clusters) of this account and region.
                        Condition: {
                            StringEquals: { "aws:SourceAccount": caller.accountId },
                            ArnLike: { "aws:SourceArn": cluster ? [arn("db"), arn("cluster")] : arn("db") },
                        },
                    },
                ],
            }),
            tags: { ...tags, Name: `${name}-monitoring-role` },
        },
        opts,
    );
    const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-monitoring-policy`,
        { role: role.name, policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole` },
        opts,
    );
    return { roleArn: role.arn, dependencies: [attachment] };
}
