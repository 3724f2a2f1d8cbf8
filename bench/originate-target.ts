/**
 * The originate benchmark's Asterisk: the tests' fake AMI server in its own thread (a
 * Worker), answering every Originate as Asterisk 22 does (Success at once, then a recorded
 * call with the Originate's ids), and noting when each Originate arrived (epoch ms), so the
 * pace of a campaign is measured where Asterisk would see it.
 */
import { FakeAmi } from "../test/helpers/fake-ami.ts";
import type { OriginateOutcome } from "../test/helpers/fake-originate.ts";

declare const self: Worker;

const now = () => performance.timeOrigin + performance.now();
let outcome: OriginateOutcome = "answered";
let arrivals: number[] = [];
const fake = new FakeAmi({
  originate: () => {
    arrivals.push(now());
    return { outcome, holdMs: 20 };
  },
}).start();

self.onmessage = (message: MessageEvent<{ outcome?: OriginateOutcome; arrivals?: boolean }>) => {
  if (message.data.outcome) outcome = message.data.outcome;
  if (message.data.arrivals) {
    self.postMessage({ arrivals });
    arrivals = [];
  }
};

self.postMessage({ port: fake.port });
