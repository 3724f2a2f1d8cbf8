/**
 * getcustomerdata under load against the compiled `ivr serve` (its own process) with a
 * million calls in history: N connections sending the macro's request back to back for a
 * fixed time. Numbers are spelled as a PBX sends them (national, 8 0xx...).
 */
import { CUSTOMERS } from "./history.ts";
import { BENCH_TOKEN } from "./smart-target.ts";

function macroBody(n: number): string {
  const national = `80290${String(n % (CUSTOMERS * 1.25)).padStart(6, "0")}`; // a fifth are unknown callers
  return `{"UniqueId":"1795264116.${n}","Phone":"${national}","TrunkId":"0001363","LoadDialPlan":"true"}`;
}

export async function loadSmart(url: string, connections: number, seconds: number) {
  const latencies: number[] = [];
  let requests = 0;
  let failures = 0;
  let routed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      let n = worker * 7919;
      while (performance.now() < deadline) {
        const t = performance.now();
        const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", Token: BENCH_TOKEN }, body: macroBody(n++) });
        const body = (await res.json()) as { DialPlan: string | null };
        latencies.push(performance.now() - t);
        requests++;
        if (res.status !== 200) failures++;
        else if (body.DialPlan) routed++;
      }
    }),
  );
  return { requestsPerSecond: requests / ((performance.now() - started) / 1000), latencies, failures, routed, requests };
}
