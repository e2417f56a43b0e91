/**
 * The port rule the web tier and the load balancer share. Pure: no Pulumi, no AWS.
 */

/**
 * Remote-administration ports (SSH, RDP). Never opened to or between tiers: shell access is SSM Session
 * Manager, so a server that listens here for "the app" is a misconfiguration or worse.
 */
export const REMOTE_ADMIN_PORTS: readonly number[] = [22, 3389];

/**
 * What is wrong with `port` as the port a server listens on behind the load balancer, or `undefined`.
 * The one home of the 22/3389 ban: `WebServers.appPort`, `LoadBalancer.targetPort` and the stack's
 * `appPort` setting all call it. `arg` is the argument's name in the message.
 */
export function servicePortProblem(port: number, arg: string): string | undefined {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `\`${arg}\` must be a whole number from 1 to 65535 (got ${port})`;
    if (REMOTE_ADMIN_PORTS.includes(port)) {
        return `\`${arg}\` must not be ${port}: remote-administration ports are never opened (shell access is SSM Session Manager)`;
    }
    return undefined;
}
