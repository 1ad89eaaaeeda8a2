// The `nextstack` policy pack: `pulumi preview --policy-pack policy` (from the project root).
// Constructing the PolicyPack starts its gRPC server and keeps the process alive: tests import ./policies, never this.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("nextstack", { policies, enforcementLevel: "mandatory" });
