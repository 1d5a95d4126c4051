/**
 * A bounded cache of rows that never change once written (products, variants, users' tokens:
 * certflow has no endpoint that updates them). Because the rows are immutable, a cached copy is
 * right on every service instance without invalidation. The least recently used entries beyond
 * `capacity` are dropped. If an update endpoint is ever added for such a row, its write must
 * `delete` the entry (and other instances must not cache it).
 */
export class RowCache<T> {
  private readonly rows = new Map<string, T>();

  constructor(private readonly capacity = 10_000) {}

  get(key: string): T | undefined {
    const row = this.rows.get(key);
    if (row !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.rows.delete(key);
      this.rows.set(key, row);
    }
    return row;
  }

  set(key: string, row: T): void {
    this.rows.delete(key);
    this.rows.set(key, row);
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
