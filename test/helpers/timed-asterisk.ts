import type { AsteriskSide } from "./fake-asterisk.ts";
import { LineReader } from "./line-reader.ts";

/**
 * Time for a replayed call: a clock the IVR is given, moved on as Asterisk would take time.
 * `took[command]` is how long Asterisk spends on a command (a prompt playing, a Dial
 * ringing and talking); a list gives the times of successive sends of the same command.
 * The clock moves when the command arrives, before its reply is sent.
 */
export function timedAsterisk(side: AsteriskSide, took: Record<string, number | number[]>, start = 1_795_264_166_000) {
  const clock = { now: start };
  const sent = new Map<string, number>();
  const lines = new LineReader();
  void (async () => {
    for (;;) {
      const line = await side.lines.next(60_000, "a command").catch(() => undefined);
      if (line === undefined) break;
      const times = took[line];
      const n = sent.get(line) ?? 0;
      sent.set(line, n + 1);
      clock.now += Array.isArray(times) ? (times[n] ?? 0) : (times ?? 0);
      lines.push(`${line}\n`);
    }
    lines.end();
  })();
  return { side: { ...side, lines } satisfies AsteriskSide, clock: () => clock.now };
}
