/**
 * An example of web-infra used as a library, the way another team's Pulumi program would use it:
 * three web servers, one per zone, behind a load balancer that sends each request to the server with
 * the fewest requests in flight (`least_outstanding_requests`), and a MySQL writer with a Multi-AZ
 * standby but no read replica (reads go to the writer).
 *
 * Everything is imported from the package by name. `test/example.test.ts` builds this program under
 * the mock engine; `npm run check:package` builds it from the packed package.
 */
import * as aws from "@pulumi/aws";
import { Database, LoadBalancer, Network, WebServers, ZONE_QUERY } from "web-infra";

export = async () => {
    // The zones are looked up (never hard-coded) and given to every component in the same order.
    const zones = (await aws.getAvailabilityZones(ZONE_QUERY)).names.slice(0, 3);

    // One NAT gateway per zone: no zone depends on another for egress.
    const network = new Network("net", { availabilityZones: zones, natStrategy: "perAz" });

    // No replica: a Multi-AZ writer serves reads and writes, and fails over to its standby by itself.
    const database = new Database("db", {
        vpcId: network.vpcId,
        subnetIds: network.databaseSubnetIds,
        availabilityZones: zones,
        multiAz: true,
        replicaCount: 0,
    });

    // Three servers, round robin over the private subnets: one per zone.
    const web = new WebServers("web", {
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        availabilityZones: network.availabilityZones,
        count: 3,
        database: database.connectionInfo,
    });
    database.allowConnectionsFrom("web", web.securityGroupId);

    // Requests go to the server with the fewest outstanding requests rather than round robin: better
    // when request costs vary (a slow report next to cheap page views).
    const lb = new LoadBalancer("lb", {
        vpcId: network.vpcId,
        subnetIds: network.publicSubnetIds,
        targetInstanceIds: web.instanceIds,
        targetSecurityGroupId: web.securityGroupId,
        targetPort: web.appPort,
        algorithm: "least_outstanding_requests",
    });

    return {
        url: lb.url,
        webServerIds: web.instanceIds,
        writerHost: database.connectionInfo.writerHost,
        readerHost: database.connectionInfo.readerHost,
    };
};
