/**
 * A tiny synchronous event emitter, per instance (no module-level registry), so two sessions never see each other's
 * events. Listener exceptions are reported but never break the session's own state machine.
 */
export class TypedEventEmitter<Events extends { [K in keyof Events]: unknown }> {
  // No prototype: an event name like `toString` (from untyped code) is just another unknown event.
  #listeners: { [K in keyof Events]?: Set<(payload: Events[K]) => void> } = Object.create(null);

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    (this.#listeners[event] ??= new Set()).add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void {
    this.#listeners[event]?.delete(listener);
  }

  /** Calls every listener of `event` with `payload`, in registration order. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.#listeners[event] ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners = Object.create(null);
  }
}

function reportListenerError(error: unknown): void {
  // Browsers surface reportError() like an uncaught exception (console + window.onerror) without unwinding our code.
  if (typeof reportError === 'function') reportError(error);
  else console.error('[dual-token-auth] event listener threw', error);
}
