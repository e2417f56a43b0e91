/**
 * An example of web-infra used as a library, the way another team's Pulumi program would use it:
 * a web fleet of at least three servers (one per zone, up to six under load), behind a load balancer that sends each request to the server with
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

    // Requests go to the server with the fewest outstanding requests rather than round robin: better
    // when request costs vary (a slow report next to cheap page views).
    const lb = new LoadBalancer("lb", {
        vpcId: network.vpcId,
        subnetIds: network.publicSubnetIds,
        targetPort: 80,
        algorithm: "least_outstanding_requests",
    });

    // At least three servers (the group spreads them evenly: one per zone), up to six under load; the
    // group registers them in the load balancer's target group itself.
    const web = new WebServers("web", {
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        targetGroupArns: [lb.targetGroupArn],
        minSize: 3,
        maxSize: 6,
        loadBalancerMetrics: { loadBalancerArnSuffix: lb.arnSuffix, targetGroupArnSuffix: lb.targetGroupArnSuffix },
        egressReady: network.egressReady,
        database: database.connectionInfo,
    });
    lb.allowTargets(web.securityGroupId);
    database.allowConnectionsFrom("web", web.securityGroupId);

    return {
        url: lb.url,
        webAutoScalingGroupName: web.autoScalingGroupName,
        writerHost: database.connectionInfo.writerHost,
        readerHost: database.connectionInfo.readerHost,
    };
};
