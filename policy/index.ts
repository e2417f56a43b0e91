/**
 * The web-infra guardrails policy pack, run with `pulumi preview --policy-pack policy` (from the
 * repository root, after `npm ci`). The policies live in ./policies.ts; tests call them directly,
 * because constructing a PolicyPack starts the analyzer's gRPC server.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("web-infra-guardrails", {
    description: "web-infra security guardrails: network exposure, encryption, IMDSv2, load balancer hardening, S3 public access, tags.",
    policies,
});
