/**
 * Where the database lives in the network: its security group (no rules until a client is admitted),
 * its DB subnet group, and the rule pair that admits one client security group on 3306.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MYSQL_PORT } from "../lib/rds";

export interface DatabaseNetwork {
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly subnetGroup: aws.rds.SubnetGroup;
}

export function createDatabaseNetwork(
    parent: pulumi.Resource,
    name: string,
    vpcId: pulumi.Input<string>,
    subnetIds: pulumi.Input<string>[],
    tags: Record<string, string>,
): DatabaseNetwork {
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId,
            // No inline rules: with none declared the provider also removes AWS's default allow-all
            // egress. RDS needs no egress (replication and backups don't go through this group).
            description: `MySQL instances of ${name}: port ${MYSQL_PORT} only from the clients admitted by allowConnectionsFrom`,
            tags: { ...tags, Name: `${name}-sg` },
        },
        { parent },
    );
    const subnetGroup = new aws.rds.SubnetGroup(
        `${name}-subnets`,
        { subnetIds, description: `Database subnets of ${name} (no route out of the VPC)`, tags: { ...tags, Name: `${name}-subnets` } },
        { parent },
    );
    return { securityGroup, subnetGroup };
}

/** Client labels: part of resource names, so kept short and plain. */
export const CLIENT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/**
 * Admit MySQL from `sourceSecurityGroupId`: an ingress rule on the database group from it on 3306, and
 * the matching egress rule on it, both children of the Database (`<db>-from-<client>`,
 * `<db>-to-db-from-<client>`).
 */
export function admitClient(
    parent: pulumi.Resource,
    db: string,
    client: string,
    databaseSecurityGroupId: pulumi.Input<string>,
    sourceSecurityGroupId: pulumi.Input<string>,
    tags: Record<string, string>,
): void {
    new aws.vpc.SecurityGroupIngressRule(
        `${db}-from-${client}`,
        {
            securityGroupId: databaseSecurityGroupId,
            referencedSecurityGroupId: sourceSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: MYSQL_PORT,
            toPort: MYSQL_PORT,
            description: `MySQL from ${client} to the ${db} database instances`,
            tags: { ...tags, Name: `${db}-from-${client}` },
        },
        { parent },
    );
    new aws.vpc.SecurityGroupEgressRule(
        `${db}-to-db-from-${client}`,
        {
            securityGroupId: sourceSecurityGroupId,
            referencedSecurityGroupId: databaseSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: MYSQL_PORT,
            toPort: MYSQL_PORT,
            description: `MySQL from ${client} to the ${db} database instances`,
            tags: { ...tags, Name: `${db}-to-db-from-${client}` },
        },
        { parent },
    );
}
