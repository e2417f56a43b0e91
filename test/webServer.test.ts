import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, allInvokes, awaitOutput, descendantsOf, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";
import { renderCloudConfig } from "../components/lib/userData";

const INSTANCE = "aws:ec2/instance:Instance";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const COMPONENT = "web-infra:web:WebServers";

const PINNED_AMI = "ami-0fedcba9876543210";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:web-infra-db-master-AbC123";
const DATABASE = {
    writerHost: pulumi.output("writer.db.web-infra.internal"),
    readerHost: "reader.db.web-infra.internal",
    port: pulumi.output(3306),
    name: "app",
    secretArn: pulumi.output(SECRET_ARN),
};

type WebModule = typeof import("../components/webServer");
let web: WebModule;
type Fleet = InstanceType<WebModule["WebServers"]>;
const fleets: Record<string, Fleet> = {};
let network: InstanceType<typeof import("../components/network").Network>;
let privateSubnetIds: string[];

beforeAll(async () => {
    await setupMocks({ config: { "aws:region": "us-east-1" } });
    const { Network } = await import("../components/network");
    web = await import("../components/webServer");
    network = new Network("net", { availabilityZones: ["us-east-1a", "us-east-1b"] });
    const base = { vpcId: network.vpcId, subnetIds: network.privateSubnetIds, availabilityZones: network.availabilityZones };
    // Defaults: 2 × t4g.micro, port 80, no database.
    fleets.web = new web.WebServers("web", base);
    // Three x86 servers over two zones, a database, another port, tags.
    fleets.big = new web.WebServers("big", {
        ...base,
        count: 3,
        instanceType: "m7i.large",
        rootVolumeSizeGiB: 20,
        appPort: 8080,
        database: DATABASE,
        logRetentionDays: 90,
        tags: { Team: "web" },
    });
    fleets.standard = new web.WebServers("std", { ...base, instanceType: "t3.small", cpuCredits: "standard" });
    // A pinned AMI, given as an Output (as a stack passes config or another resource's id).
    fleets.pinned = new web.WebServers("pinned", { ...base, instanceType: "c7g.large", amiId: pulumi.output(PINNED_AMI) });
    privateSubnetIds = await Promise.all(network.privateSubnetIds.map((id) => awaitOutput(id)));
    await Promise.all(Object.values(fleets).flatMap((f) => f.instanceAvailabilityZones.map((z) => awaitOutput(z))));
    await settle();
});

const of = (type: string, prefix: string) => resourcesOf(type, new RegExp(`^${prefix}-`));
const instancesOf = (prefix: string) => of(INSTANCE, prefix).filter((r) => /-\d+$/.test(r.name));
const sgOf = (prefix: string) => resourceNamed(SG, `${prefix}-sg`);

describe("placement: active-active over distinct zones", () => {
    it("builds 2 servers by default, in the 2 private subnets, one per zone", async () => {
        const instances = instancesOf("web");
        expect(instances.map((i) => i.name)).toEqual(["web-1", "web-2"]);
        expect(instances.map((i) => i.inputs.subnetId)).toEqual(privateSubnetIds);
        expect(new Set(instances.map((i) => i.state.availabilityZone))).toEqual(new Set(["us-east-1a", "us-east-1b"]));
        expect(await Promise.all(fleets.web.instanceAvailabilityZones.map((z) => awaitOutput(z)))).toEqual(["us-east-1a", "us-east-1b"]);
        expect(await Promise.all(fleets.web.instanceIds.map((id) => awaitOutput(id)))).toEqual(instances.map((i) => i.id));
        expect(fleets.web.count).toBe(2);
    });

    it("places server i in zone i mod zones (round robin): 3 servers over 2 zones → a, b, a", () => {
        const instances = instancesOf("big");
        expect(instances.map((i) => i.inputs.subnetId)).toEqual([privateSubnetIds[0], privateSubnetIds[1], privateSubnetIds[0]]);
        expect(instances.map((i) => i.state.availabilityZone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1a"]);
        expect(instances.map((i) => i.inputs.tags.Zone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1a"]);
    });

    it("uses only private subnets of the network", () => {
        const publicIds = resourcesOf("aws:ec2/subnet:Subnet", /^net-public-/).map((s) => s.id);
        for (const i of resourcesOf(INSTANCE)) {
            expect(privateSubnetIds).toContain(i.inputs.subnetId);
            expect(publicIds).not.toContain(i.inputs.subnetId);
        }
    });
});

describe("every server", () => {
    it("requires IMDSv2 (tokens required, hop limit 1)", () => {
        for (const i of resourcesOf(INSTANCE)) {
            expect(i.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
        }
    });

    it("has an encrypted gp3 root volume of the configured size, deleted with the instance", () => {
        expect(instancesOf("web").map((i) => i.inputs.rootBlockDevice)).toEqual(
            [1, 2].map((n) => ({ volumeType: "gp3", volumeSize: 8, encrypted: true, deleteOnTermination: true, tags: { Name: `web-${n}-root` } })),
        );
        expect(instancesOf("big")[0].inputs.rootBlockDevice.tags).toEqual({ Team: "web", Name: "big-1-root" });
        expect(instancesOf("big")[0].inputs).not.toHaveProperty("volumeTags");
        expect(instancesOf("big").map((i) => i.inputs.rootBlockDevice.volumeSize)).toEqual([20, 20, 20]);
        for (const i of resourcesOf(INSTANCE)) expect(i.inputs.rootBlockDevice.encrypted).toBe(true);
    });

    it("has no public IP and no key pair", () => {
        for (const i of resourcesOf(INSTANCE)) {
            expect(i.inputs.associatePublicIpAddress).toBe(false);
            expect(i.inputs).not.toHaveProperty("keyName");
        }
    });

    it("has detailed monitoring and automatic recovery on", () => {
        for (const i of resourcesOf(INSTANCE)) {
            expect(i.inputs.monitoring).toBe(true);
            expect(i.inputs.maintenanceOptions).toEqual({ autoRecovery: "default" });
        }
    });

    it("is replaced when its user data changes (cloud-init applies it at first boot only)", () => {
        for (const i of resourcesOf(INSTANCE)) {
            expect(i.inputs.userDataReplaceOnChange).toBe(true);
            expect(i.ignoreChanges).toEqual([]);
        }
    });

    it("runs in the fleet's one security group with the fleet's one instance profile", () => {
        for (const prefix of ["web", "big"]) {
            const profile = resourceNamed(PROFILE, `${prefix}-instance-profile`);
            for (const i of instancesOf(prefix)) {
                expect(i.inputs.vpcSecurityGroupIds).toEqual([sgOf(prefix).id]);
                expect(i.inputs.iamInstanceProfile).toBe(profile.state.name);
            }
        }
    });

    it("boots only after the role's policies exist", () => {
        // The exact policies each fleet has (the DB-secret policy only with a database), and its servers:
        // an empty list on either side would make the containment check below pass vacuously.
        const expected: Record<string, { policies: string[]; servers: number }> = {
            web: { policies: ["web-ssm-core", "web-cloudwatch-agent"], servers: 2 },
            big: { policies: ["big-ssm-core", "big-cloudwatch-agent", "big-db-secret"], servers: 3 },
        };
        for (const [prefix, { policies: names, servers }] of Object.entries(expected)) {
            const policies = [...of(ATTACHMENT, prefix), ...of(ROLE_POLICY, prefix)];
            expect(policies.map((p) => p.name).sort()).toEqual([...names].sort());
            expect(instancesOf(prefix)).toHaveLength(servers);
            for (const i of instancesOf(prefix)) expect(i.dependencies).toEqual(expect.arrayContaining(policies.map((p) => p.urn)));
        }
    });

    it("is a child of its fleet component", () => {
        const component = resourceNamed(COMPONENT, "web");
        const children = descendantsOf(component.urn).map((r) => `${r.type}::${r.name}`);
        expect(children).toEqual(expect.arrayContaining([`${INSTANCE}::web-1`, `${INSTANCE}::web-2`, `${SG}::web-sg`, `${ROLE}::web-role`, `${PROFILE}::web-instance-profile`]));
    });
});

describe("instance type, architecture, AMI, CPU credits", () => {
    const amiParameter = (arch: string) => `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
    const amiFor = (arch: string) => allInvokes().find((i) => i.token === "aws:ssm/getParameter:getParameter" && i.inputs.name === amiParameter(arch));

    it("t4g.micro by default, on the arm64 AL2023 AMI from the public SSM parameter", async () => {
        const arm = amiFor("arm64");
        expect(arm).toBeDefined();
        const amiId = await awaitOutput(fleets.web.amiId);
        expect(amiId).toMatch(/^ami-0[0-9a-f]{16}$/);
        for (const i of instancesOf("web")) expect(i.inputs).toMatchObject({ instanceType: "t4g.micro", ami: amiId });
    });

    it("an x86 type gets the x86_64 AMI", async () => {
        expect(amiFor("x86_64")).toBeDefined();
        const x86 = await awaitOutput(fleets.big.amiId);
        expect(x86).not.toBe(await awaitOutput(fleets.web.amiId));
        for (const i of instancesOf("big")) expect(i.inputs).toMatchObject({ instanceType: "m7i.large", ami: x86 });
    });

    it("a pinned `amiId` is used as given, with no SSM look-up: one look-up per unpinned fleet only", async () => {
        expect(await awaitOutput(fleets.pinned.amiId)).toBe(PINNED_AMI);
        for (const i of instancesOf("pinned")) expect(i.inputs).toMatchObject({ instanceType: "c7g.large", ami: PINNED_AMI });
        const lookups = allInvokes().filter((i) => i.token === "aws:ssm/getParameter:getParameter");
        const unpinned = Object.keys(fleets).filter((k) => k !== "pinned");
        expect(lookups).toHaveLength(unpinned.length);
    });

    it("burstable types run with unlimited CPU credits by default; others get no credit setting", () => {
        for (const i of instancesOf("web")) expect(i.inputs.creditSpecification).toEqual({ cpuCredits: "unlimited" });
        for (const i of instancesOf("std")) expect(i.inputs.creditSpecification).toEqual({ cpuCredits: "standard" });
        for (const i of instancesOf("big")) expect(i.inputs).not.toHaveProperty("creditSpecification");
    });
});

describe("security group", () => {
    it("is in the network's VPC and has no ingress of its own", () => {
        for (const prefix of ["web", "big"]) {
            const sg = sgOf(prefix);
            expect(sg.inputs.vpcId).toBe(resourceNamed("aws:ec2/vpc:Vpc", "net-vpc").id);
            expect(sg.inputs).not.toHaveProperty("ingress");
            expect(sg.inputs).not.toHaveProperty("egress");
            expect(resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === sg.id)).toEqual([]);
        }
    });

    it("allows egress on HTTPS only (bootstrap and SSM), with a description", () => {
        for (const prefix of ["web", "big"]) {
            const rules = resourcesOf(EGRESS).filter((r) => r.inputs.securityGroupId === sgOf(prefix).id);
            expect(rules).toHaveLength(1);
            expect(rules[0].inputs).toMatchObject({ ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
            expect(rules[0].inputs.description).toMatch(/HTTPS/);
        }
    });

    it("no rule covers port 22 or 3389", () => {
        const covers = (r: RecordedResource, port: number) => r.inputs.ipProtocol === "-1" || (r.inputs.fromPort <= port && port <= r.inputs.toPort);
        for (const r of [...resourcesOf(INGRESS), ...resourcesOf(EGRESS)]) {
            expect(covers(r, 22) || covers(r, 3389)).toBe(false);
        }
    });
});

describe("IAM", () => {
    const policy = (r: RecordedResource, key: string) => JSON.parse(r.inputs[key]);

    it("the role trusts EC2 only", () => {
        expect(policy(resourceNamed(ROLE, "web-role"), "assumeRolePolicy")).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });

    it("has exactly the SSM core and CloudWatch agent managed policies", async () => {
        for (const prefix of ["web", "big"]) {
            const role = resourceNamed(ROLE, `${prefix}-role`);
            const attached = resourcesOf(ATTACHMENT).filter((a) => a.inputs.role === role.state.name);
            expect(attached.map((a) => a.inputs.policyArn).sort()).toEqual([
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
            ]);
        }
        expect(await awaitOutput(fleets.web.roleArn)).toBe(resourceNamed(ROLE, "web-role").state.arn);
        expect(resourceNamed(PROFILE, "web-instance-profile").inputs.role).toBe(resourceNamed(ROLE, "web-role").state.name);
    });

    it("without a database: no inline policy", () => {
        expect(of(ROLE_POLICY, "web")).toEqual([]);
    });

    it("with a database: one inline policy that reads exactly the DB secret", () => {
        const inline = of(ROLE_POLICY, "big");
        expect(inline).toHaveLength(1);
        expect(inline[0].inputs.role).toBe(resourceNamed(ROLE, "big-role").state.name);
        expect(policy(inline[0], "policy")).toEqual({
            Version: "2012-10-17",
            Statement: [{ Sid: "ReadTheDatabaseSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: SECRET_ARN }],
        });
    });
});

describe("user data", () => {
    const appEnvOf = (instance: RecordedResource) => {
        const doc = yaml.load(instance.inputs.userData) as { write_files: { path: string; content: string }[] };
        return doc.write_files.find((f) => f.path === "/etc/web-infra/app.env")?.content ?? "";
    };

    it("is the pure renderer's cloud-config for the fleet's port, region and log group", () => {
        const logGroupName = resourceNamed(LOG_GROUP, "web-nginx-logs").state.name;
        expect(instancesOf("web")[0].inputs.userData).toBe(renderCloudConfig({ appPort: 80, region: "us-east-1", logGroupName }));
        const expected = renderCloudConfig({
            appPort: 8080,
            region: "us-east-1",
            logGroupName: resourceNamed(LOG_GROUP, "big-nginx-logs").state.name,
            database: { writerHost: "writer.db.web-infra.internal", readerHost: "reader.db.web-infra.internal", port: 3306, name: "app", secretArn: SECRET_ARN },
        });
        for (const i of instancesOf("big")) expect(i.inputs.userData).toBe(expected);
    });

    it("gives the servers the DB endpoints and secret ARN, never a password", () => {
        const env = appEnvOf(instancesOf("big")[0]);
        expect(env).toContain("DB_WRITER_HOST=writer.db.web-infra.internal\n");
        expect(env).toContain("DB_READER_HOST=reader.db.web-infra.internal\n");
        expect(env).toContain(`DB_SECRET_ARN=${SECRET_ARN}\n`);
        expect(env).not.toMatch(/^[A-Z_]*PASS/m);
        expect(appEnvOf(instancesOf("web")[0])).not.toMatch(/^DB_/m);
    });

    it("installs and starts the CloudWatch agent, shipping nginx's logs to the fleet's own log group", () => {
        for (const prefix of ["web", "big"]) {
            const logGroupName = resourceNamed(LOG_GROUP, `${prefix}-nginx-logs`).state.name;
            const doc = yaml.load(instancesOf(prefix)[0].inputs.userData) as { packages: string[]; write_files: { path: string; content: string }[]; runcmd: string[][] };
            expect(doc.packages).toContain("amazon-cloudwatch-agent");
            const agent = JSON.parse(doc.write_files.find((f) => f.path === "/etc/web-infra/cloudwatch-agent.json")!.content);
            expect(agent.logs.logs_collected.files.collect_list.map((f: { log_group_name: string }) => f.log_group_name)).toEqual([logGroupName, logGroupName]);
            expect(doc.runcmd).toContainEqual(expect.arrayContaining(["fetch-config", "file:/etc/web-infra/cloudwatch-agent.json"]));
        }
    });

    it("carries no secret input", () => {
        for (const i of resourcesOf(INSTANCE)) expect(i.secretPaths).toEqual([]);
    });
});

describe("nginx log group", () => {
    it("is created by the fleet, with 30 days' retention by default and the configured retention otherwise", () => {
        expect(resourceNamed(LOG_GROUP, "web-nginx-logs").inputs).toMatchObject({ retentionInDays: 30, tags: { Name: "web-nginx-logs" } });
        expect(resourceNamed(LOG_GROUP, "big-nginx-logs").inputs).toMatchObject({ retentionInDays: 90, tags: { Team: "web", Name: "big-nginx-logs" } });
        expect(resourceNamed(LOG_GROUP, "web-nginx-logs").parentUrn).toBe(resourceNamed(COMPONENT, "web").urn);
    });

    it("is exported, and the servers wait for it (their user data names it)", async () => {
        const group = resourceNamed(LOG_GROUP, "web-nginx-logs");
        expect(await awaitOutput(fleets.web.nginxLogGroupName)).toBe(group.state.name);
        for (const i of instancesOf("web")) expect(i.propertyDependencies.userData).toContain(group.urn);
    });

    it("the role may write to it: CloudWatchAgentServerPolicy (logs:CreateLogStream, PutLogEvents on any group)", () => {
        expect(of(ATTACHMENT, "web").map((a) => a.inputs.policyArn)).toContain("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
    });
});

describe("outputs", () => {
    it("exposes the SG, role, profile, port and count other components need", async () => {
        expect(await awaitOutput(fleets.big.securityGroupId)).toBe(sgOf("big").id);
        expect(await awaitOutput(fleets.big.roleName)).toBe(resourceNamed(ROLE, "big-role").state.name);
        expect(await awaitOutput(fleets.big.instanceProfileName)).toBe(resourceNamed(PROFILE, "big-instance-profile").state.name);
        expect(fleets.big.role).toBeDefined();
        expect(fleets.big.instances).toHaveLength(3);
        expect([fleets.big.appPort, fleets.big.count]).toEqual([8080, 3]);
    });
});

describe("validation, before anything is registered", () => {
    const args = () => ({ vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], availabilityZones: ["us-east-1a", "us-east-1b"] });

    it.each([
        ["a single server", { count: 1 }, "WebServers bad: `count` must be ≥ 2 for active-active (got 1)"],
        ["zero servers", { count: 0 }, "WebServers bad: `count` must be ≥ 2 for active-active (got 0)"],
        ["one zone", { subnetIds: ["subnet-a"], availabilityZones: ["us-east-1a"] }, "WebServers bad: `subnetIds` must name private subnets in at least 2 zones (got 1): one zone is a single point of failure"],
        ["zones not matching subnets", { availabilityZones: ["us-east-1a"] }, "WebServers bad: `availabilityZones` must name the zone of each subnet, in order (got 1 zones for 2 subnets)"],
        ["a bad instance type", { instanceType: "huge" }, 'WebServers bad: `instanceType` must be an EC2 instance type such as t4g.micro or m7i.large (got "huge")'],
        ["credits on a non-burstable type", { instanceType: "m7g.large", cpuCredits: "standard" as const }, "WebServers bad: `cpuCredits` applies only to burstable (T-family) instance types (got m7g.large)"],
        ["a tiny root volume", { rootVolumeSizeGiB: 4 }, "WebServers bad: `rootVolumeSizeGiB` must be a whole number from 8 to 16384 (got 4): the Amazon Linux 2023 AMI needs 8"],
        ["the SSH port", { appPort: 22 }, "WebServers bad: `appPort` must not be 22: remote-administration ports are never opened (shell access is SSM Session Manager)"],
        ["the RDP port", { appPort: 3389 }, "WebServers bad: `appPort` must not be 3389: remote-administration ports are never opened (shell access is SSM Session Manager)"],
        ["port 0", { appPort: 0 }, "WebServers bad: `appPort` must be a whole number from 1 to 65535 (got 0)"],
        ["an AMI name instead of an id", { amiId: "al2023-ami-2023.6" }, 'WebServers bad: `amiId` must be an AMI id such as ami-0123456789abcdef0 (got "al2023-ami-2023.6")'],
        ["a log retention CloudWatch does not offer", { logRetentionDays: 31 }, "WebServers bad: `logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 31)"],
    ])("rejects %s", async (_label, override, message) => {
        expect(() => new web.WebServers("bad", { ...args(), ...override })).toThrow(message);
        await settle();
        expect(resourcesOf(COMPONENT, "bad")).toEqual([]);
        expect(resourcesOf(SG, /^bad-/)).toEqual([]);
    });
});
