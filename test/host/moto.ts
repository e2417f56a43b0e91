/**
 * A real AWS API emulator for tests of our code that calls AWS (Lambda handlers, the preflight):
 * `moto_server` on 127.0.0.1 on a free port, stopped by its own pid. Point an SDK at it with
 * `AWS_ENDPOINT_URL=<endpoint>` (or `endpoint` in a client's config), any credentials, us-east-1.
 */
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import * as net from "net";
import { requireTool } from "./tools";

export interface Moto {
    /** `http://127.0.0.1:<port>` */
    readonly endpoint: string;
    /** Environment for an SDK client or a child process pointed at this emulator. */
    readonly env: Readonly<Record<string, string>>;
    /** Forget everything seeded so far (moto's reset API). */
    reset(): Promise<void>;
    stop(): Promise<void>;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address() as net.AddressInfo;
            server.close(() => resolve(address.port));
        });
    });
}

function request(url: string, method = "GET"): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, timeout: 2_000 }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.end();
    });
}

/** Start `moto_server`; resolves once it answers. Fails naming the tool when it is not installed. */
export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
    const command = requireTool("moto_server");
    const port = await freePort();
    const child: ChildProcess = spawn(command, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
        try {
            await request(`${endpoint}/moto-api/data.json`);
            break;
        } catch {
            if (Date.now() > deadline) {
                child.kill("SIGKILL");
                throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr}`);
            }
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    return {
        endpoint,
        env: {
            AWS_ENDPOINT_URL: endpoint,
            AWS_ACCESS_KEY_ID: "testing",
            AWS_SECRET_ACCESS_KEY: "testing",
            AWS_REGION: "us-east-1",
            AWS_DEFAULT_REGION: "us-east-1",
        },
        async reset() {
            await request(`${endpoint}/moto-api/reset`, "POST");
        },
        stop() {
            return new Promise((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
                setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
            });
        },
    };
}
