/**
 * Counts failed authentications per client address in fixed one-minute windows. Once a client
 * has failed `limit` times in the current window, every further request from that address
 * answers 429 until the window ends, with a valid token too (a 429 must not tell a guesser that
 * the guess was right). This makes guessing tokens slow; other addresses are not affected.
 */
/** Addresses remembered at most; pruning brings the count down to half of it. */
const MAX_CLIENTS = 10_000;

export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the client may try again, or 0 when it may try now. */
  retryAfter(client: string): number {
    const window = this.current(client);
    if (!window || window.failures < this.limit) return 0;
    return Math.ceil((window.start + this.windowMs - this.now()) / 1000);
  }

  recordFailure(client: string): void {
    const window = this.current(client);
    if (window) window.failures++;
    else this.windows.set(client, { start: this.now(), failures: 1 });
    if (this.windows.size > MAX_CLIENTS) this.prune();
  }

  private current(client: string): { start: number; failures: number } | undefined {
    const window = this.windows.get(client);
    if (window && this.now() - window.start >= this.windowMs) {
      this.windows.delete(client);
      return undefined;
    }
    return window;
  }

  /**
   * Forgets expired windows, and when that is not enough (many addresses failing at once), the
   * oldest ones: the map stays bounded and each failure costs a bounded amount of work.
   */
  private prune(): void {
    const now = this.now();
    for (const [client, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(client);
    }
    // Map keeps insertion order, so the first entries are the oldest windows.
    for (const client of this.windows.keys()) {
      if (this.windows.size <= MAX_CLIENTS / 2) break;
      this.windows.delete(client);
    }
  }
}
