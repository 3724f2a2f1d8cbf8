/**
 * A small typed event bus. Listeners run synchronously in the order they subscribed; one
 * that throws is reported to `onError` and the others still run, so a faulty subscriber
 * (a webhook, the operator page) can never break the tracker that emits. Listeners must not
 * block: anything slow (network, disk) belongs in the listener's own bounded queue.
 */
export class EventBus<Events extends Record<string, unknown>> {
  private readonly listeners: { [K in keyof Events]?: Array<(payload: Events[K]) => void> } = {};

  constructor(private readonly onError: (type: string, error: unknown) => void = () => {}) {}

  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    const list = (this.listeners[type] ??= []);
    list.push(listener);
    return () => {
      const index = list.indexOf(listener);
      if (index !== -1) list.splice(index, 1);
    };
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const list = this.listeners[type];
    if (!list) return;
    for (const listener of list.length > 1 ? [...list] : list) {
      try {
        listener(payload);
      } catch (error) {
        this.onError(String(type), error);
      }
    }
  }

  has(type: keyof Events): boolean {
    return (this.listeners[type]?.length ?? 0) > 0;
  }
}
