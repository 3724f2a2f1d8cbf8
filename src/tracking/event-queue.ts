/**
 * Between the AMI socket and the tracker. Asterisk drops a client that does not read within
 * manager.conf's writetimeout, so the socket reader only appends here; the consumer runs in
 * time slices (a few milliseconds, then the event loop reads the socket again), so even a
 * slow subscriber cannot hold reading up. The queue is bounded: when it is full, what it
 * holds is dropped and `onOverflow` says how much, so the owner can resync and report the
 * gap (never a silent drop).
 */
export interface EventQueueOptions<T> {
  max: number;
  /** How long one slice of consuming may take before yielding to I/O. */
  sliceMs: number;
  /** How many were dropped, and the oldest of them (the gap began when it was read). */
  onOverflow: (dropped: number, oldest: T) => void;
  onError: (error: unknown) => void;
}

export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** A slice is scheduled (setImmediate) and has not run yet. */
  private scheduled = false;
  /** When the consumer last had a slice (or the queue last became non-empty). */
  private servedAt = 0;
  /** The deepest the queue has been (a metric). */
  highWater = 0;
  dropped = 0;

  constructor(
    private readonly consume: (item: T) => void,
    private readonly options: EventQueueOptions<T>,
  ) {}

  get depth(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.depth >= this.options.max) {
      const dropped = this.depth;
      const oldest = this.items[this.head]!;
      this.items = [];
      this.head = 0;
      this.dropped += dropped;
      this.options.onOverflow(dropped, oldest);
    }
    if (this.depth === 0) this.servedAt = performance.now();
    this.items.push(item);
    if (this.depth > this.highWater) this.highWater = this.depth;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.slice();
      });
    } else if ((this.depth & 255) === 0 && performance.now() - this.servedAt > this.options.sliceMs) {
      // Under a flood the event loop may go on reading before it runs the scheduled slice:
      // then the consumer gets its slice here, between two reads, and reading goes on after.
      this.slice();
    }
  }

  /** Consumes everything queued now, synchronously (shutdown, tests). */
  flush(): void {
    while (this.depth > 0) this.next();
  }

  private slice(): void {
    const until = performance.now() + this.options.sliceMs;
    let n = 0;
    while (this.depth > 0) {
      this.next();
      // Reading the clock after every item would cost more than most items do.
      if ((++n < 32 || (n & 31) === 0) && performance.now() >= until) break;
    }
    this.servedAt = performance.now();
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.depth > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.slice();
      });
    }
  }

  private next(): void {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    try {
      this.consume(item);
    } catch (error) {
      this.options.onError(error);
    }
  }
}
