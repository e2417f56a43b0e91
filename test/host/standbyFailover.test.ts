/**
 * The active-passive failover function (components/assets/standby/index.js) against moto_server: the
 * real handler code and SDK v3 calls (DescribeAutoScalingGroups, DescribeInstances, EnterStandby,
 * ExitStandby, SetInstanceHealth, SetDesiredCapacity) on a real VPC, launch template, ELBv2 target group
 * and Auto Scaling group attached to it.
 *
 * What moto cannot do, and is injected instead (the Auto Scaling calls stay real):
 * - an unhealthy target: moto reports every registered instance `healthy` and never deregisters a
 *   Standby instance, so the failover cases read target health from a reader the test controls (the
 *   arming and top-up cases read moto's real DescribeTargetHealth);
 * - instance refreshes: moto has no DescribeInstanceRefreshes (nor StartInstanceRefresh), so "no
 *   refresh" is injected too.
 * The confirmation over two passes, the idempotent top-up and the timing of the loop are unit tests of
 * `decide` and the handler (test/standbyFailover.test.ts): moto launches instantly.
 */
import { startMoto, Moto } from "./moto";
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateLaunchTemplateCommand, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client, CreateTargetGroupCommand, DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const standby = require("../../components/assets/standby/index.js");

interface Seeded {
    groupName: string;
    targetGroupArn: string;
}

describe("standby failover function against moto_server", () => {
    let moto: Moto;
    const saved: Record<string, string | undefined> = {};
    beforeAll(async () => {
        moto = await startMoto();
        for (const [k, v] of Object.entries(moto.env)) {
            saved[k] = process.env[k];
            process.env[k] = v;
        }
    }, 60_000);
    afterAll(async () => {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
        await moto?.stop();
    });
    beforeEach(async () => moto.reset());

    const clients = () => standby.defaultClients();

    async function seed(desired: number): Promise<Seeded> {
        const ec2 = new EC2Client({});
        const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
        const a = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }));
        const b = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1b" }));
        await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "web", LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "t4g.micro" } }));
        const tg = await new ElasticLoadBalancingV2Client({}).send(
            new CreateTargetGroupCommand({ Name: "web", Protocol: "HTTP", Port: 80, VpcId: vpc.Vpc!.VpcId, TargetType: "instance", HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2 }),
        );
        const targetGroupArn = tg.TargetGroups![0].TargetGroupArn!;
        await new AutoScalingClient({}).send(
            new CreateAutoScalingGroupCommand({
                AutoScalingGroupName: "web-asg",
                LaunchTemplate: { LaunchTemplateName: "web", Version: "1" },
                MinSize: 1,
                MaxSize: 4,
                DesiredCapacity: desired,
                VPCZoneIdentifier: `${a.Subnet!.SubnetId},${b.Subnet!.SubnetId}`,
                TargetGroupARNs: [targetGroupArn],
                HealthCheckType: "ELB",
                HealthCheckGracePeriod: 300,
            }),
        );
        return { groupName: "web-asg", targetGroupArn };
    }

    async function group() {
        const g = (await new AutoScalingClient({}).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web-asg"] }))).AutoScalingGroups![0];
        return { desired: g.DesiredCapacity, instances: g.Instances!.map((i) => ({ id: i.InstanceId!, lifecycle: i.LifecycleState!, health: i.HealthStatus! })) };
    }

    const config = (s: Seeded, standbyCount = 1) => ({ groupName: s.groupName, targetGroupArn: s.targetGroupArn, standbyCount, graceSeconds: 0, pollSeconds: 0, runSeconds: 0, settleSeconds: 30 });
    type State = { lastFailoverAt: number; failed?: string[]; failedAt?: number };

    it("moto answers the reads: the group's instances are registered in the target group", async () => {
        const s = await seed(2);
        const health = await new ElasticLoadBalancingV2Client({}).send(new DescribeTargetHealthCommand({ TargetGroupArn: s.targetGroupArn }));
        const { instances } = await group();
        expect(instances).toHaveLength(2);
        expect(health.TargetHealthDescriptions!.map((d) => d.Target!.Id).sort()).toEqual(instances.map((i) => i.id).sort());
    });

    it("arms the healthy extra server as a standby (EnterStandby, desired decremented), keeps the oldest as the active", async () => {
        const s = await seed(2);
        const decision = await standby.runPass(clients(), config(s), { lastFailoverAt: 0 }, { refreshes: async () => [] });
        expect(decision.actions).toEqual([{ type: "enterStandby", instanceIds: [expect.stringMatching(/^i-/)] }]);
        const g = await group();
        expect(g.desired).toBe(1);
        expect(g.instances.filter((i) => i.lifecycle === "Standby").map((i) => i.id)).toEqual(decision.actions[0].instanceIds);
        expect(g.instances.filter((i) => i.lifecycle === "InService").map((i) => i.id)).toEqual([decision.active]);
    });

    it("fails over: the standby back in service (ExitStandby), the failed active marked Unhealthy (SetInstanceHealth)", async () => {
        const s = await seed(2);
        const state: State = { lastFailoverAt: 0 };
        const noRefresh = { refreshes: async () => [] };
        const armed = await standby.runPass(clients(), config(s), state, noRefresh);
        const active = armed.active as string;
        const standbyId = armed.actions[0].instanceIds[0] as string;

        // The active fails its health checks; the standby is deregistered (what AWS does on EnterStandby).
        const targetHealth = async () => [{ id: active, state: "unhealthy", reason: "Target.ResponseCodeMismatch" }];
        // The first pass that sees it only notes it; the next one, still failed, fails over.
        const first = await standby.runPass(clients(), config(s), state, { ...noRefresh, targetHealth });
        expect(first.actions).toEqual([]);
        expect(first.failed).toEqual([active]);
        const decision = await standby.runPass(clients(), config(s), state, { ...noRefresh, targetHealth });
        expect(decision.failover).toBe(true);
        expect(decision.actions).toEqual([
            { type: "exitStandby", instanceId: standbyId },
            { type: "setUnhealthy", instanceId: active },
        ]);
        const g = await group();
        expect(g.instances.find((i) => i.id === standbyId)).toMatchObject({ lifecycle: "InService" });
        expect(g.instances.find((i) => i.id === active)).toMatchObject({ health: "Unhealthy" });
        expect(g.desired).toBe(2);
        expect(state.lastFailoverAt).toBeGreaterThan(0);

        // The next pass, moments later, does not fail over a second time.
        const again = await standby.runPass(clients(), config(s), state, { ...noRefresh, targetHealth });
        expect(again.actions).toEqual([]);
    });

    it("tops the standbys up when there are none (SetDesiredCapacity)", async () => {
        const s = await seed(1);
        const decision = await standby.runPass(clients(), config(s, 2), { lastFailoverAt: 0 }, { refreshes: async () => [] });
        expect(decision.actions).toEqual([{ type: "setDesired", capacity: 3 }]);
        expect((await group()).desired).toBe(3);
    });

    it("replaces a stopped standby (TerminateInstanceInAutoScalingGroup, EC2 state read through an instance-id filter) and launches another", async () => {
        const s = await seed(2);
        const noRefresh = { refreshes: async () => [] };
        const armed = await standby.runPass(clients(), config(s), { lastFailoverAt: 0 }, noRefresh);
        const standbyId = armed.actions[0].instanceIds[0] as string;
        await new EC2Client({}).send(new StopInstancesCommand({ InstanceIds: [standbyId] }));
        const decision = await standby.runPass(clients(), config(s), { lastFailoverAt: 0 }, noRefresh);
        expect(decision.actions).toEqual([
            { type: "terminate", instanceId: standbyId, decrement: false, why: expect.stringMatching(/^standby (stopped|stopping)$/) },
            { type: "setDesired", capacity: 2 },
        ]);
        const g = await group();
        expect(g.instances.find((i) => i.id === standbyId)).toBeUndefined();
        expect(g.desired).toBe(2);
    });

    it("terminates a surplus healthy server in service with a decrement once the standbys are complete", async () => {
        const s = await seed(3);
        const noRefresh = { refreshes: async () => [] };
        const decision = await standby.runPass(clients(), config(s), { lastFailoverAt: 0 }, noRefresh);
        expect(decision.actions.map((a: { type: string }) => a.type)).toEqual(["enterStandby", "terminate"]);
        const g = await group();
        expect(g.desired).toBe(1);
        expect(g.instances.filter((i) => i.lifecycle === "InService").map((i) => i.id)).toEqual([decision.active]);
    });

    it("the handler loops and logs one JSON line a pass; an unreadable group fails the invocation", async () => {
        const s = await seed(1);
        const lines: string[] = [];
        const log = jest.spyOn(process.stdout, "write").mockImplementation((l: string | Uint8Array) => lines.push(String(l)) > 0);
        try {
            await expect(
                standby.handler({}, { getRemainingTimeInMillis: () => 60_000 }, { config: config(s, 0), state: { lastFailoverAt: 0 }, overrides: { refreshes: async () => [] } }),
            ).resolves.toEqual({ passes: 1, failures: 0 });
            expect(JSON.parse(lines[0])).toMatchObject({ group: "web-asg", event: "pass", reason: "serving", standbysMissing: 0 });
            await expect(
                standby.handler({}, undefined, { config: { ...config(s), groupName: "missing" }, state: { lastFailoverAt: 0 }, overrides: { refreshes: async () => [] } }),
            ).rejects.toThrow("1 of 1 passes failed; last: Auto Scaling group missing not found");
        } finally {
            log.mockRestore();
        }
    });
});
