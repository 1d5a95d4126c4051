/**
 * A bounded cache of rows read by id. Used for rows that never change once written (products,
 * variants: certflow has no endpoint that updates them), where a cached copy is right on every
 * service instance without invalidation, and, with `ttlMs`, for rows that rarely change (a token
 * can be revoked): the instance that changes one drops its copy, other instances notice within
 * `ttlMs`. The least recently used entries beyond `capacity` are dropped.
 */
export class RowCache<T> {
  private readonly rows = new Map<string, { row: T; until: number }>();

  constructor(
    private readonly capacity = 10_000,
    private readonly ttlMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    const entry = this.rows.get(key);
    if (entry === undefined) return undefined;
    this.rows.delete(key);
    if (entry.until <= this.now()) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.rows.set(key, entry);
    return entry.row;
  }

  set(key: string, row: T): void {
    this.rows.delete(key);
    this.rows.set(key, { row, until: this.now() + this.ttlMs });
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value as string);
  }

  delete(key: string): void {
    this.rows.delete(key);
  }

  /** The cached row, or the loaded one (cached when found). */
  async through(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const row = await load();
    if (row !== null) this.set(key, row);
    return row;
  }
}
