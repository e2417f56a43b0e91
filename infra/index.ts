// Pulumi's entry point (`main: infra/index.ts` in Pulumi.yaml). A CommonJS export of a function:
// Pulumi calls it and awaits the stack outputs it returns. The program itself is in ./main.ts.
import { main } from "./main";

export = main;
