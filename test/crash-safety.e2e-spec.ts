import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { actorVia, ApiClient } from './support/api-client.js';
import { createPostgresDatabase, DATABASE_KINDS, type DatabaseKind } from './support/databases.js';
import { MILL, samplePdf } from './support/fixtures.js';
import {
  adminToken,
  startServiceProcess,
  tempDataDir,
  type ServiceProcess,
} from './support/service-process.js';

/**
 * Crash safety (design §8): the real service process is killed with SIGKILL at a random moment
 * while clients upload evidence and send case events concurrently, then restarted on the same
 * data. After every restart each acknowledged write (a 2xx the client received) is there with
 * intact bytes, nothing is half done (no row without its blob or its audit record, no audit
 * record without its row, no case version without its audit record) and every audit chain
 * verifies. Each restart must also be clean: no error logged, and the start-up sweep has emptied
 * the blob store's temporary area. Events a kill cut off are then sent again with their
 * Idempotency-Key: the first answer replayed, or the event applied now, or a 409.
 *
 * CRASH_ROUNDS (default 20) and CRASH_SEED (default: random, printed in every failure) tune it.
 * A seed fixes the load windows, the owners, kinds, sizes and bytes of uploads; where exactly a
 * kill lands still depends on timing.
 *   CRASH_SEED=1234 npm run jest -- test/crash-safety.e2e-spec.ts -t sqlite
 */
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WINDOW_MS = { min: 200, max: 1500 };
const UPLOAD_WORKERS = 3;
const EVENT_WORKERS_PER_CASE = 2;
/** Kinds the load uploads: none of them is required by the steps the cases cycle through. */
const LOAD_KINDS = ['technical-drawings', 'bill-of-materials', 'emc-test-report', 'instructions'];
/** The cycle verification_testing → design_rework → risk_assessment → verification_testing. */
const CYCLE: Record<string, string> = {
  verification_testing: 'TESTS_FAILED',
  design_rework: 'COMPLETE_REWORK',
  risk_assessment: 'COMPLETE_RISK_ASSESSMENT',
};
/** Older evidence items whose bytes are re-read after each restart (all of them after the last). */
const CONTENT_SAMPLE = 6;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

interface Owner {
  /** `products/<id>` or `variants/<id>` */
  path: string;
  stream: string;
  client: ApiClient;
}

interface AckedUpload {
  /** Missing when the 201 arrived but its body did not. */
  id?: string;
  sha256: string;
  size: number;
  owner: Owner;
  round: number;
}

interface TrackedCase {
  id: string;
  version: number;
  state: string;
  /** The highest version a client was told it reached. */
  acked: number;
}

interface InFlightEvent {
  tracked: TrackedCase;
  type: string;
  ifMatch: number;
  key: string;
}

interface World {
  maintainer: ApiClient;
  workshop: ApiClient;
  legal: ApiClient;
  owners: Owner[];
  cases: TrackedCase[];
}

/** What the clients of one load window saw. */
interface RoundLoad {
  uploads: AckedUpload[];
  events: number;
  conflicts: number;
  inFlight: InFlightEvent[];
  /** Answers that must not happen (5xx, or a 4xx the load never provokes). */
  unexpected: string[];
}

describe('crash safety', () => {
  // Both databases at once: each campaign spends most of its time restarting a single-threaded
  // process, so on two cores they overlap well.
  it.concurrent.each(DATABASE_KINDS)(
    `on %s: keeps every acknowledged write through ${ROUNDS} SIGKILLs under concurrent load`,
    (kind) => crashCampaign(kind),
    900_000,
  );
});

/** Sets up one database and service, runs the rounds, and tears everything down. */
async function crashCampaign(kind: DatabaseKind): Promise<void> {
  const data = tempDataDir();
  let postgres: { url: string; drop: () => Promise<void> } | undefined;
  let env: Record<string, string>;
  let service: ServiceProcess | undefined;
  let world: World;
  const uploads: AckedUpload[] = [];
  /** Evidence ids whose bytes were already read back and checked after some restart. */
  const contentChecked = new Set<string>();
  /** Evidence rows that committed although their upload was never acknowledged. */
  const unacknowledgedRows = new Set<string>();
  let bytesSeq = 0;
  const sentBytes: Buffer[] = [];

  const where = (round: number): string =>
    `[${kind}, seed ${SEED} (CRASH_SEED=${SEED} to replay), round ${round}/${ROUNDS}]`;

  /** Clients of the running service, for the given tokens. */
  const on = (client: ApiClient): ApiClient => new ApiClient(service!.url, client.token);

  try {
    if (kind === 'postgres') postgres = await createPostgresDatabase();
    // Start-up logged in full, so a failed restart shows how far it got.
    env = { DATA_DIR: data.dir, LOG_LEVEL: 'log', ...(postgres ? { DATABASE_URL: postgres.url } : {}) };
    service = await startServiceProcess(env);
    world = await setUpWorld(new ApiClient(service.url, adminToken(data.dir)));
    await runRounds();
  } finally {
    await service?.stop('SIGKILL');
    await postgres?.drop();
    data.remove();
  }

  async function runRounds(): Promise<void> {
    const started = Date.now();
    let events = 0;
    let conflicts = 0;
    let inFlightTotal = 0;
    let retried = 0;
    let orphans = 0;
    let unacknowledged = 0;
    const spent = { load: 0, restart: 0, verify: 0 };
    let mark = Date.now();
    const lap = (phase: keyof typeof spent): void => {
      spent[phase] += Date.now() - mark;
      mark = Date.now();
    };
    for (let round = 1; round <= ROUNDS; round++) {
      const random = prng(SEED ^ Math.imul(round, 0x9e3779b1) ^ (kind === 'postgres' ? 0x55aa : 0));
      const windowMs = Math.round(WINDOW_MS.min + random() * (WINDOW_MS.max - WINDOW_MS.min));
      mark = Date.now();
      const load = await runLoadAndKill(round, windowMs);
      lap('load');
      if (load.unexpected.length > 0) {
        throw new Error(`${where(round)} unexpected answers under load:\n  ${load.unexpected.join('\n  ')}`);
      }
      uploads.push(...load.uploads);
      events += load.events;
      conflicts += load.conflicts;
      inFlightTotal += load.inFlight.length;

      service = await restart(round);
      lap('restart');
      const found = await verifyEverything(round, round === ROUNDS ? 'all' : 'new-and-sample', random);
      orphans = found.orphans;
      unacknowledged += found.unacknowledged;
      retried += await retryInFlight(round, load.inFlight);
      lap('verify');
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `crash safety on ${kind}: ${ROUNDS} SIGKILL rounds in ${seconds}s (seed ${SEED}; load ${spent.load} ms, ` +
        `restarts ${spent.restart} ms, checks ${spent.verify} ms); ` +
        `acknowledged ${uploads.length} uploads and ${events} events (${conflicts} 409s), ` +
        `${inFlightTotal} events cut off by a kill (${retried} applied on retry), ` +
        `${unacknowledged} writes committed but cut off before their answer, ` +
        `${orphans} unreferenced blobs at the end\n`,
    );
    expect(uploads.filter((u) => u.round > 0).length).toBeGreaterThan(0);
    expect(events).toBeGreaterThan(0);
  }

  /** Copies the data directory of a failed round for a post-mortem; returns where to. */
  function keepData(round: number): string {
    const kept = join(tmpdir(), `certflow-crash-${kind}-${SEED}-round-${round}`);
    cpSync(data.dir, kept, { recursive: true });
    return kept;
  }

  /** Product, two variants, and cases driven to the start of a cycle the load can repeat. */
  async function setUpWorld(admin: ApiClient): Promise<World> {
    const maintainer = (await actorVia(admin, ['maintainer'], 'Commons')).client;
    const workshop = (await actorVia(admin, ['customiser'], 'Workshop')).client;
    const legal = (await actorVia(admin, ['legal'], 'Legal')).client;
    const content = await admin.get('/content');
    const kinds = new Set((content.body.evidenceKinds as { id: string }[]).map((k) => k.id));
    for (const k of LOAD_KINDS) if (!kinds.has(k)) throw new Error(`evidence kind ${k} is not shipped`);

    const product = await maintainer.post('/products', MILL);
    expect(product.status).toBe(201);
    const owners: Owner[] = [
      { path: `products/${product.body.id}`, stream: `product:${product.body.id}`, client: maintainer },
    ];
    const cases: TrackedCase[] = [];
    for (const key of ['crash-a', 'crash-b']) {
      const variant = await workshop.post(`/products/${product.body.id}/variants`, {
        key,
        name: `Variant ${key}`,
        overrides: { placingOnMarket: '2027-02-01' },
      });
      expect(variant.status).toBe(201);
      const variantId: string = variant.body.id;
      owners.push({ path: `variants/${variantId}`, stream: `variant:${variantId}`, client: workshop });

      const applicability = await workshop.get(`/variants/${variantId}/applicability?markets=EU`);
      expect(applicability.status).toBe(200);
      const moduleA = (
        applicability.body as {
          regime: string;
          applies: boolean;
          routes: { id: string; workflow: string }[];
        }[]
      )
        .filter((a) => a.applies && a.routes.some((r) => r.id === 'A' && r.workflow === 'eu-module-a'))
        .slice(0, 2);
      if (moduleA.length === 0) throw new Error('no EU regime with Module A applies to the crash variant');
      const accepted = new Set<string>();
      for (const { regime } of moduleA) {
        const opened = await workshop.post(`/variants/${variantId}/cases`, { regime, route: 'A' });
        expect(opened.status).toBe(201);
        for (const r of opened.body.requirements as { step: string; kind: string }[]) {
          if (!['scoping', 'standards', 'risk-assessment'].includes(r.step) || accepted.has(r.kind)) continue;
          accepted.add(r.kind);
          const up = await workshop.upload(
            `/variants/${variantId}/evidence`,
            { kind: r.kind, issuer: 'Lab', issuedAt: '2026-10-01' },
            samplePdf(`${key} ${r.kind}`),
            `${r.kind}.pdf`,
          );
          expect(up.status).toBe(201);
          uploads.push({
            id: up.body.id,
            sha256: up.body.sha256,
            size: up.body.size,
            owner: owners[owners.length - 1],
            round: 0,
          });
          const review = await legal.post(`/evidence/${up.body.id}/review`, {
            decision: 'accepted',
            comment: 'ok',
          });
          expect(review.status).toBe(200);
        }
        let view = opened.body;
        for (const type of ['COMPLETE_SCOPING', 'SELECT_STANDARDS', 'COMPLETE_RISK_ASSESSMENT']) {
          const moved = await workshop.post(`/cases/${view.id}/events`, { type });
          if (moved.status !== 200) {
            throw new Error(
              `setting up case ${regime}: ${type} → ${moved.status} ${JSON.stringify(moved.body)}`,
            );
          }
          view = moved.body;
        }
        expect(view.state).toBe('verification_testing');
        cases.push({ id: view.id, version: view.version, state: view.state, acked: view.version });
      }
    }
    return { maintainer, workshop, legal, owners, cases };
  }

  /** Bytes of a new upload: a small PDF padded with seeded noise; sometimes an earlier upload's bytes. */
  function nextBytes(random: () => number): Buffer {
    if (sentBytes.length > 0 && random() < 0.1) return sentBytes[Math.floor(random() * sentBytes.length)];
    const pick = random();
    const size =
      pick < 0.7 ? 1024 + random() * 63 * 1024 : pick < 0.95 ? 64 * 1024 + random() * 448 * 1024 : 2 ** 21;
    const noise = Buffer.alloc(Math.floor(size));
    for (let i = 0; i + 4 <= noise.length; i += 4) noise.writeUInt32LE((random() * 2 ** 32) >>> 0, i);
    const bytes = Buffer.concat([samplePdf(`crash ${SEED} ${++bytesSeq}`), noise]);
    sentBytes.push(bytes);
    if (sentBytes.length > 64) sentBytes.shift();
    return bytes;
  }

  /** Runs uploads and case events until SIGKILL lands after `windowMs`. */
  async function runLoadAndKill(round: number, windowMs: number): Promise<RoundLoad> {
    const load: RoundLoad = { uploads: [], events: 0, conflicts: 0, inFlight: [], unexpected: [] };
    const url = service!.url;
    let killed = false;

    const uploadWorker = async (worker: number): Promise<void> => {
      const random = prng(SEED ^ Math.imul(round * 31 + worker, 0x85ebca6b));
      while (!killed) {
        const owner = world.owners[Math.floor(random() * world.owners.length)];
        const bytes = nextBytes(random);
        const kindOfEvidence = LOAD_KINDS[Math.floor(random() * LOAD_KINDS.length)];
        const form = new FormData();
        form.append('kind', kindOfEvidence);
        form.append('issuer', 'Crash Lab');
        form.append('issuedAt', '2026-10-01');
        form.append('file', new Blob([bytes]), `${kindOfEvidence}.pdf`);
        let status: number;
        let text: string;
        try {
          const res = await fetch(`${url}/api/v1/${owner.path}/evidence`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${owner.client.token}` },
            body: form,
          });
          status = res.status;
          text = await res.text().catch(() => '');
        } catch {
          return; // the kill cut the request off: not acknowledged
        }
        if (status !== 201) {
          load.unexpected.push(`upload to ${owner.path}: ${status} ${text.slice(0, 300)}`);
          return;
        }
        let id: string | undefined;
        try {
          id = (JSON.parse(text) as { id: string }).id;
        } catch {
          // acknowledged, but the body was cut off: found by its hash
        }
        load.uploads.push({ id, sha256: sha256(bytes), size: bytes.length, owner, round });
      }
    };

    const eventWorker = async (tracked: TrackedCase): Promise<void> => {
      while (!killed) {
        const { version, state } = tracked;
        const type = CYCLE[state];
        if (!type) {
          load.unexpected.push(`case ${tracked.id} is in ${state}, outside the load's cycle`);
          return;
        }
        const event: InFlightEvent = { tracked, type, ifMatch: version, key: randomUUID() };
        let status: number;
        let text: string;
        try {
          const res = await fetch(`${url}/api/v1/cases/${tracked.id}/events`, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${world.workshop.token}`,
              'Content-Type': 'application/json',
              'If-Match': `"${version}"`,
              'Idempotency-Key': event.key,
            },
            body: JSON.stringify({ type, comment: `round ${round}` }),
          });
          status = res.status;
          text = await res.text().catch(() => '');
        } catch {
          load.inFlight.push(event);
          return;
        }
        if (status === 200) {
          // Acknowledged: the case is now at ifMatch + 1, whatever happened to the body.
          load.events++;
          tracked.acked = Math.max(tracked.acked, version + 1);
          try {
            const view = JSON.parse(text) as { version: number; state: string };
            if (view.version > tracked.version)
              Object.assign(tracked, { version: view.version, state: view.state });
          } catch {
            return;
          }
        } else if (status === 409) {
          load.conflicts++;
          try {
            const res = await fetch(`${url}/api/v1/cases/${tracked.id}`, {
              headers: { Authorization: `Bearer ${world.workshop.token}` },
            });
            const view = (await res.json()) as { version: number; state: string };
            if (res.status === 200 && view.version > tracked.version) {
              Object.assign(tracked, { version: view.version, state: view.state });
            }
          } catch {
            return;
          }
        } else {
          load.unexpected.push(
            `${type} on case ${tracked.id} at version ${version}: ${status} ${text.slice(0, 300)}`,
          );
          return;
        }
      }
    };

    const workers = [
      ...Array.from({ length: UPLOAD_WORKERS }, (_, i) => uploadWorker(i)),
      ...world.cases.flatMap((c) => Array.from({ length: EVENT_WORKERS_PER_CASE }, () => eventWorker(c))),
    ];
    await new Promise((r) => setTimeout(r, windowMs));
    await service!.stop('SIGKILL');
    killed = true;
    await Promise.all(workers);
    return load;
  }

  async function restart(round: number): Promise<ServiceProcess> {
    let next: ServiceProcess;
    try {
      next = await startServiceProcess(env);
    } catch (error) {
      throw new Error(
        `${where(round)} the service did not start again after SIGKILL (data kept in ${keepData(round)}): ` +
          String(error),
        { cause: error },
      );
    }
    // LOG_LEVEL=warn: a clean start prints nothing at error level.
    const errors = next
      .output()
      .split('\n')
      .filter((line) => /\bERROR\b/.test(line));
    if (errors.length > 0) {
      await next.stop('SIGKILL');
      throw new Error(`${where(round)} the restart logged errors:\n${errors.join('\n')}`);
    }
    return next;
  }

  /**
   * Checks the acknowledged writes and the consistency of everything present. Counts, for the
   * summary, the writes that committed although their answer never arrived (allowed), and the
   * blobs no evidence refers to (allowed: bytes placed just before a crash, before their row
   * committed; the start-up sweep removes them after its grace period).
   */
  async function verifyEverything(
    round: number,
    depth: 'all' | 'new-and-sample',
    random: () => number,
  ): Promise<{ orphans: number; unacknowledged: number }> {
    const fail = (message: string): never => {
      throw new Error(`${where(round)} ${message} (data kept in ${keepData(round)})`);
    };
    const admin = on(new ApiClient('', adminToken(data.dir)));
    const blobs = join(data.dir, 'blobs');

    // The start-up sweep removed what interrupted uploads left in the temporary area.
    const leftovers = readdirSync(join(blobs, 'tmp'));
    if (leftovers.length > 0) fail(`temporary files survived the restart: ${leftovers.join(', ')}`);

    // Every evidence row present, per owner, with its blob and its audit record.
    const rows = new Map<string, { id: string; sha256: string; size: number; owner: Owner }>();
    for (const owner of world.owners) {
      const list = await admin.get(`/${owner.path}/evidence`);
      if (list.status !== 200) fail(`listing ${owner.path}/evidence: ${list.status}`);
      const items = (Array.isArray(list.body) ? list.body : list.body.own) as {
        id: string;
        sha256: string;
        size: number;
      }[];
      for (const item of items) {
        rows.set(item.id, { id: item.id, sha256: item.sha256, size: item.size, owner });
        const path = join(blobs, item.sha256.slice(0, 2), item.sha256);
        if (!existsSync(path))
          fail(`evidence ${item.id} (${owner.path}) has a row but no blob ${item.sha256}`);
        if (statSync(path).size !== item.size) fail(`evidence ${item.id}: blob size differs from its row`);
      }

      const verify = await admin.get(`/audit/${owner.stream}/verify`);
      if (verify.status !== 200 || verify.body.valid !== true) {
        fail(`audit chain ${owner.stream} does not verify: ${verify.status} ${JSON.stringify(verify.body)}`);
      }
      const audit = await admin.get(`/audit/${owner.stream}?limit=10000`);
      const recorded = new Set(
        (audit.body.events as { action: string; data: { evidenceId?: string } }[])
          .filter((e) => e.action === 'evidence.uploaded')
          .map((e) => e.data.evidenceId),
      );
      for (const item of items) {
        if (!recorded.has(item.id))
          fail(`evidence ${item.id} has no evidence.uploaded record in ${owner.stream}`);
      }
      for (const id of recorded) {
        if (!items.some((i) => i.id === id))
          fail(`${owner.stream} records upload ${id}, which does not exist`);
      }
    }

    // Every acknowledged upload is there, with the bytes the client sent.
    for (const ack of uploads) {
      const row = ack.id
        ? rows.get(ack.id)
        : [...rows.values()].find((r) => r.sha256 === ack.sha256 && r.owner === ack.owner);
      if (!row)
        fail(`acknowledged upload ${ack.id ?? ack.sha256} (round ${ack.round}, ${ack.owner.path}) is gone`);
      if (row!.sha256 !== ack.sha256 || row!.size !== ack.size) {
        fail(
          `acknowledged upload ${row!.id} changed: ${row!.sha256}/${row!.size}, sent ${ack.sha256}/${ack.size}`,
        );
      }
    }

    let unacknowledged = 0;
    const acknowledged = new Set(uploads.map((u) => u.id));
    for (const id of rows.keys()) {
      if (!acknowledged.has(id) && !unacknowledgedRows.has(id)) {
        unacknowledgedRows.add(id);
        unacknowledged++;
      }
    }

    // Bytes read back through the API: every row not read before, a sample of the rest, or all.
    const unchecked = [...rows.values()].filter((r) => depth === 'all' || !contentChecked.has(r.id));
    const checked = [...rows.values()].filter((r) => depth !== 'all' && contentChecked.has(r.id));
    for (let i = 0; i < CONTENT_SAMPLE && checked.length > 0; i++) {
      unchecked.push(checked.splice(Math.floor(random() * checked.length), 1)[0]);
    }
    await inParallel(unchecked, 4, async (row) => {
      const res = await fetch(`${admin.baseUrl}/api/v1/evidence/${row.id}/content`, {
        headers: { Authorization: `Bearer ${admin.token}` },
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200)
        fail(`GET /evidence/${row.id}/content: ${res.status} ${bytes.toString().slice(0, 200)}`);
      if (sha256(bytes) !== row.sha256) fail(`the bytes of evidence ${row.id} do not match its SHA-256`);
      contentChecked.add(row.id);
    });

    // Every case is at least where a client was told it is, and its audit chain matches it.
    for (const tracked of world.cases) {
      const view = await admin.get(`/cases/${tracked.id}`);
      if (view.status !== 200) fail(`GET /cases/${tracked.id}: ${view.status}`);
      const { version, state } = view.body as { version: number; state: string };
      if (version < tracked.acked) {
        fail(`case ${tracked.id} is at version ${version}, but version ${tracked.acked} was acknowledged`);
      }
      const stream = `case:${tracked.id}`;
      const verify = await admin.get(`/audit/${stream}/verify`);
      if (verify.status !== 200 || verify.body.valid !== true) {
        fail(`audit chain ${stream} does not verify: ${verify.status} ${JSON.stringify(verify.body)}`);
      }
      // One record for the opening and one per event: the case and its records committed together.
      if (verify.body.length !== version) {
        fail(`case ${tracked.id} is at version ${version} but ${stream} has ${verify.body.length} records`);
      }
      const last = await admin.get(`/audit/${stream}?afterSeq=${version - 1}`);
      const record = (last.body.events as { data: { version?: number; to?: string } }[])[0];
      if (record?.data.version !== version || record.data.to !== state) {
        fail(
          `the last record of ${stream} (${JSON.stringify(record?.data)}) is not the case's v${version} ${state}`,
        );
      }
      unacknowledged += version - tracked.acked;
      tracked.acked = version;
      Object.assign(tracked, { version, state });
    }

    const referenced = new Set([...rows.values()].map((r) => r.sha256));
    let orphans = 0;
    for (const prefix of readdirSync(blobs)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of readdirSync(join(blobs, prefix))) if (!referenced.has(name)) orphans++;
    }
    return { orphans, unacknowledged };
  }

  /** Sends the events a kill cut off again, with the same Idempotency-Key: 200 or 409, nothing else. */
  async function retryInFlight(round: number, inFlight: InFlightEvent[]): Promise<number> {
    let applied = 0;
    const workshop = on(world.workshop);
    for (const event of inFlight) {
      const res = await workshop.post(
        `/cases/${event.tracked.id}/events`,
        { type: event.type, comment: `round ${round}` },
        { 'If-Match': `"${event.ifMatch}"`, 'Idempotency-Key': event.key },
      );
      if (res.status === 200) {
        // A replay of the first answer, or the event applied now: either way version ifMatch + 1.
        if (res.body.version !== event.ifMatch + 1) {
          throw new Error(
            `${where(round)} retrying ${event.type} on case ${event.tracked.id} from version ` +
              `${event.ifMatch} answered version ${res.body.version}`,
          );
        }
        applied++;
        event.tracked.acked = Math.max(event.tracked.acked, event.ifMatch + 1);
        if (res.body.version > event.tracked.version) {
          Object.assign(event.tracked, { version: res.body.version, state: res.body.state });
        }
      } else if (res.status !== 409) {
        throw new Error(
          `${where(round)} retrying ${event.type} on case ${event.tracked.id} with its Idempotency-Key: ` +
            `${res.status} ${JSON.stringify(res.body)}`,
        );
      }
    }
    return applied;
  }
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
