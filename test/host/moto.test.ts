import { startMoto, Moto } from "./moto";
import * as http from "http";

describe("moto_server harness", () => {
    let moto: Moto;
    beforeAll(async () => {
        moto = await startMoto();
    }, 60_000);
    afterAll(async () => moto?.stop());

    it("answers STS GetCallerIdentity on its loopback endpoint", async () => {
        expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const body = await new Promise<string>((resolve, reject) => {
            const req = http.request(
                `${moto.endpoint}/`,
                { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x" } },
                (res) => {
                    let data = "";
                    res.on("data", (c) => (data += c));
                    res.on("end", () => resolve(data));
                },
            );
            req.on("error", reject);
            req.end("Action=GetCallerIdentity&Version=2011-06-15");
        });
        expect(body).toContain("<Account>123456789012</Account>");
    });
});
