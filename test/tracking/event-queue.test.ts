import { describe, expect, test } from "bun:test";
import { EventQueue } from "../../src/tracking/event-queue.ts";
import { waitFor } from "../helpers/wait.ts";

describe("the queue between the AMI socket and the tracker", () => {
  test("consumes in order, later, in slices", async () => {
    const seen: number[] = [];
    const queue = new EventQueue<number>((n) => seen.push(n), { max: 1000, sliceMs: 5, onOverflow: () => {}, onError: () => {} });
    for (let i = 0; i < 100; i++) queue.push(i);
    expect(seen).toEqual([]); // pushing never runs the consumer inline while it is keeping up
    await waitFor(() => seen.length === 100, "all consumed");
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(queue.highWater).toBe(100);
  });

  test("full: what it holds is dropped, counted and reported, never silently; the rest goes on", async () => {
    const seen: number[] = [];
    const overflows: Array<[number, number]> = [];
    const queue = new EventQueue<number>((n) => seen.push(n), { max: 10, sliceMs: 5, onOverflow: (dropped, oldest) => overflows.push([dropped, oldest]), onError: () => {} });
    for (let i = 0; i < 25; i++) queue.push(i);
    expect(overflows).toEqual([
      [10, 0],
      [10, 10],
    ]);
    expect(queue.dropped).toBe(20);
    await waitFor(() => seen.length === 5, "the rest consumed");
    expect(seen).toEqual([20, 21, 22, 23, 24]);
  });

  test("a consumer that throws is reported and the queue carries on", async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const queue = new EventQueue<number>(
      (n) => {
        if (n === 1) throw new Error("bad event");
        seen.push(n);
      },
      { max: 100, sliceMs: 5, onOverflow: () => {}, onError: (e) => errors.push(e) },
    );
    [0, 1, 2].forEach((n) => queue.push(n));
    await waitFor(() => seen.length === 2, "consumed");
    expect(errors).toHaveLength(1);
  });

  test("under a flood that never yields, the consumer still gets its slices between pushes", () => {
    let consumed = 0;
    const queue = new EventQueue<number>(
      () => {
        consumed++;
      },
      { max: 1_000_000, sliceMs: 1, onOverflow: () => {}, onError: () => {} },
    );
    const until = performance.now() + 50;
    let pushed = 0;
    while (performance.now() < until) queue.push(pushed++); // no await: setImmediate cannot run
    expect(consumed).toBeGreaterThan(0);
    expect(queue.depth).toBe(pushed - consumed);
  });
});
