import { closestKeys, editDistance } from "../infra/suggest";
import { SETTING_KEYS } from "../infra/settings";

describe("editDistance", () => {
    it.each([
        ["", "", 0],
        ["abc", "abc", 0],
        ["abc", "abd", 1],
        ["abc", "ab", 1],
        ["dbNmae", "dbName", 1], // a swap counts once
        ["kitten", "sitting", 3],
    ])("%s → %s: %d", (a, b, d) => {
        expect(editDistance(a, b)).toBe(d);
        expect(editDistance(b, a)).toBe(d);
    });
});

describe("closestKeys against the real settings", () => {
    it.each([
        ["natStrategyy", ["natStrategy"]],
        ["db_name", ["dbName"]],
        ["DBNAME", ["dbName"]],
        ["dbNmae", ["dbName"]],
        ["webServercount", ["webServerCount"]],
        ["alarmDbCpu", ["alarmDbCpuPercent"]],
        ["region", []],
        ["zzz", []],
    ])("%s → %j", (key, expected) => {
        expect(closestKeys(key, SETTING_KEYS)).toEqual(expected);
    });

    it("offers at most three, best first", () => {
        const close = closestKeys("alarmDb", SETTING_KEYS);
        expect(close.length).toBeLessThanOrEqual(3);
        expect(close.length).toBeGreaterThan(0);
        for (const k of close) expect(k.startsWith("alarmDb")).toBe(true);
    });
});
