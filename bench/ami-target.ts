/**
 * The benchmark's Asterisk: the tests' fake AMI server in its own thread (a Worker), so it
 * does not share the event loop of the product it feeds. It replays the recorded streams
 * looped with fresh ids, as fast as the socket takes them or at a set rate, each event
 * stamped with the time it was written (X-Bench-Sent, epoch ms).
 */
import { AmiMessage } from "../src/ami/message.ts";
import { amiEvents, amiStreamNames } from "../test/helpers/ami-fixtures.ts";
import { FakeAmi, freshen } from "../test/helpers/fake-ami.ts";

declare const self: Worker;

const now = () => performance.timeOrigin + performance.now();
const streams = amiStreamNames().map((name) => amiEvents(name));
const fake = new FakeAmi().start();
let round = 0;

function nextRound(): AmiMessage[] {
  round++;
  return streams.flatMap((events) => freshen(events, round));
}

function stamped(events: AmiMessage[]): AmiMessage[] {
  const sent = now().toFixed(3);
  return events.map((m) => new AmiMessage([...m.fields, "X-Bench-Sent", sent]));
}

let prepared: Array<{ text: string; events: AmiMessage[] }> = [];

self.onmessage = async (message: MessageEvent<{ prepare?: number; blast?: boolean; pace?: { perSecond: number; seconds: number } }>) => {
  const { prepare, blast, pace } = message.data;
  if (prepare) {
    // Rendered before the clock starts, so the sender is not what is measured.
    let count = 0;
    prepared = [];
    while (count < prepare) {
      const events = nextRound();
      prepared.push({ text: events.map((m) => m.toText()).join(""), events });
      count += events.length;
    }
    self.postMessage({ prepared: count });
  }
  if (blast) {
    let sent = 0;
    for (const round of prepared) {
      while (fake.backlog > 4 * 1024 * 1024) await Bun.sleep(1);
      fake.playText(round.events, round.text);
      sent += round.events.length;
    }
    prepared = [];
    self.postMessage({ sent });
  }
  if (pace) {
    // Small batches every 5 ms at the given rate: the latency of a PBX's normal traffic.
    const perBatch = Math.max(1, Math.round((pace.perSecond * 5) / 1000));
    let pending: AmiMessage[] = [];
    let sent = 0;
    const until = now() + pace.seconds * 1000;
    while (now() < until) {
      const started = now();
      if (pending.length < perBatch) pending = pending.concat(nextRound());
      fake.play(stamped(pending.splice(0, perBatch)));
      sent += perBatch;
      await Bun.sleep(Math.max(0, 5 - (now() - started)));
    }
    self.postMessage({ sent });
  }
};

self.postMessage({ port: fake.port });
