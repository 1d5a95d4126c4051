/*
 * Small measuring helpers shared by the benchmarks: latency percentiles, throughput summaries and
 * the result table. The machine is shared and noisy, so every figure that matters is a ratio of two
 * measurements taken side by side in the same run.
 */

/** Throughput and latency of one measured phase. */
export interface Throughput {
  /** Completed operations per second of wall time. */
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Completed operations. */
  count: number;
  /** Operations that failed (they are not counted in perSec). */
  errors: number;
  /**
   * CPU time of the measuring process (all its threads) per completed operation. Unlike the
   * rates, it hardly depends on what else the machine is doing. Over HTTP: the service's side only.
   */
  cpuMsPerOp?: number;
}

/** The value at percentile `p` (0-100) of ascending `sorted`, nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** `cpu`: `process.cpuUsage(start)` over the same phase. */
export function summarise(
  latenciesMs: number[],
  elapsedMs: number,
  errors: number,
  cpu?: NodeJS.CpuUsage,
): Throughput {
  const sorted = Array.from(Float64Array.from(latenciesMs).sort());
  return {
    perSec: round((latenciesMs.length * 1000) / elapsedMs, 1),
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    count: latenciesMs.length,
    errors,
    ...(cpu ? { cpuMsPerOp: cpuMsPerOp(cpu, latenciesMs.length) } : {}),
  };
}

export function cpuMsPerOp(cpu: NodeJS.CpuUsage, count: number): number {
  return round((cpu.user + cpu.system) / 1000 / Math.max(count, 1), 3);
}

/** The round with the highest throughput: the usual estimate when other work interferes. */
export function best(rounds: readonly Throughput[]): Throughput {
  return rounds.reduce((a, b) => (b.perSec > a.perSec ? b : a));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Progress on stderr, so stdout carries only the table. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export type Row = [figure: string, value: string, note: string];

export function formatTable(rows: readonly Row[]): string {
  const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map(([a, b, c]) => `${a.padEnd(width[0])}  ${b.padStart(width[1])}  ${c}`.trimEnd()).join('\n');
}
