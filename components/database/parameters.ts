/**
 * The MySQL parameters (lib/rds.ts MYSQL_PARAMETERS: TLS required, row-based binlog, slow query log, no
 * host blocking) as a DB parameter group for instances, or a DB cluster parameter group for a Multi-AZ
 * DB cluster (which takes its instance-level parameters from the cluster group too).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MYSQL_PARAMETERS } from "../lib/rds";

const DESCRIPTION = "TLS required, row-based binlog, slow query log, no host blocking";

export function createParameterGroup(parent: pulumi.Resource, name: string, family: string, tags: Record<string, string>): aws.rds.ParameterGroup {
    return new aws.rds.ParameterGroup(
        `${name}-params`,
        {
            family,
            description: `MySQL parameters of ${name}: ${DESCRIPTION}`,
            // See lib/rds.ts for why each one.
            parameters: MYSQL_PARAMETERS.map((p) => ({ ...p })),
            tags: { ...tags, Name: `${name}-params` },
        },
        { parent },
    );
}

export function createClusterParameterGroup(parent: pulumi.Resource, name: string, family: string, tags: Record<string, string>): aws.rds.ClusterParameterGroup {
    return new aws.rds.ClusterParameterGroup(
        `${name}-cluster-params`,
        {
            family,
            description: `MySQL parameters of the ${name} Multi-AZ DB cluster: ${DESCRIPTION}`,
            parameters: MYSQL_PARAMETERS.map((p) => ({ ...p })),
            tags: { ...tags, Name: `${name}-cluster-params` },
        },
        { parent },
    );
}
