import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Throughput } from './stats.js';

/*
 * The HTTP load generator of the transition benchmarks, run as its own process (as real clients
 * are) so that it does not share the service's event loop: `node http-load.js '<json LoadSpec>'`.
 * It drives `connections` keep-alive connections with autocannon for `seconds`; each request takes
 * an idle case from the pool, sends the event that moves it back or forth between two states, and
 * puts the case back when the answer arrives, so no two requests ever race on one case. It prints
 * one JSON `Throughput` line (the parent reads the cases' states afterwards from the service). The parent imports only its types and `NEXT_EVENT`.
 */

export interface LoadSpec {
  url: string;
  token: string;
  connections: number;
  seconds: number;
  cases: PoolCase[];
}

export interface PoolCase {
  id: string;
  state: string;
}

/** The event that leaves each of the two states the benchmark cases alternate between. */
export const NEXT_EVENT: Readonly<Record<string, string>> = {
  verification_testing: 'TESTS_FAILED',
  design_rework: 'COMPLETE_REWORK',
};

interface Histogram {
  p50: number;
  p99: number;
}

interface AutocannonResult {
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}

interface RawRequest {
  method?: string;
  path?: string;
  body?: string;
}

interface Context {
  case?: PoolCase;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  requests: {
    method: string;
    setupRequest: (request: RawRequest, context: Context) => RawRequest;
    onResponse: (status: number, body: string, context: Context) => void;
  }[];
}

type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

async function main(spec: LoadSpec): Promise<Throughput> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const idle = [...spec.cases];
  if (idle.length < spec.connections) throw new Error('need at least one case per connection');
  let failures = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    headers: { authorization: `Bearer ${spec.token}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const next = idle.shift() as PoolCase;
          context.case = next;
          return {
            ...request,
            path: `/api/v1/cases/${next.id}/events`,
            body: JSON.stringify({ type: NEXT_EVENT[next.state] }),
          };
        },
        onResponse: (status, body, context) => {
          const done = context.case as PoolCase;
          if (status === 200) done.state = (JSON.parse(body) as { state: string }).state;
          else if (failures++ < 3) process.stderr.write(`http-load: ${status} ${body.slice(0, 300)}\n`);
          idle.push(done);
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    perSec: Math.round((ok / result.duration) * 10) / 10,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    count: ok,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  process.stdout.write(`${JSON.stringify(await main(spec))}\n`);
}
