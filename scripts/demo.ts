/**
 * `npm run demo`: starts the real service (the compiled `dist/src/main.js`) on the embedded SQLite
 * default in its own data directory, and creates a realistic scenario through the HTTP API only:
 * the commons CNC mill with its base evidence, two workshops with variants (a stronger spindle; a
 * Wi-Fi controller), people in every role, EU and US cases advanced with reviewed sample evidence,
 * an auditor grant and a dossier that the legal team generates (auditors only read). Then it
 * prints the console URL and a token per role and keeps serving until Ctrl-C.
 *
 *   npm run demo                      # serve on http://localhost:3000 until Ctrl-C
 *   npm run demo -- --exit            # seed, print, stop (also DEMO_EXIT=1)
 *   npm run demo -- --port 3100 --data-dir ./data-demo2
 *
 * The data directory (default ./data-demo, or DEMO_DATA_DIR) is started afresh on every run; a
 * directory that is not one the demo made is refused, never deleted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installation directory: two levels above dist/scripts/demo.js. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MARKER = '.certflow-demo';

interface Options {
  exit: boolean;
  port: number;
  host: string;
  dataDir: string;
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const options: Options = {
    exit: env.DEMO_EXIT === '1' || env.DEMO_EXIT === 'true',
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    dataDir: resolve(env.DEMO_DATA_DIR ?? './data-demo'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value`);
      return v;
    };
    if (arg === '--exit') options.exit = true;
    else if (arg === '--port') options.port = Number(value());
    else if (arg === '--host') options.host = value();
    else if (arg === '--data-dir') options.dataDir = resolve(value());
    else if (arg === '--help' || arg === '-h') {
      say('usage: npm run demo -- [--exit] [--port N] [--host H] [--data-dir DIR]');
      process.exit(0);
    } else fail(`unknown option ${arg} (try --help)`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    fail(`the port must be a whole number from 0 to 65535`);
  }
  return options;
}

/** Starts from an empty data directory; refuses one the demo did not make. */
function prepareDataDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER))) {
      fail(
        `${dir} exists and was not made by the demo; it is left untouched. ` +
          'Remove it or choose another folder with --data-dir DIR (or DEMO_DATA_DIR).',
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'made by npm run demo; deleted and recreated on each run\n');
}

// ---------------------------------------------------------------------------------------------
// The service

async function startService(options: Options): Promise<{ child: ChildProcess; url: string }> {
  const main = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(main)) fail(`${main} is missing: run npm run build first (npm run demo does)`);
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: options.dataDir,
      PORT: String(options.port),
      HOST: options.host,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const local = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${local.includes(':') ? `[${local}]` : local}:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      fail(`the service exited with code ${child.exitCode} (see its output above)`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      fail('the service did not answer /api/v1/health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// A small API client

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers of many shapes

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    what: string,
  ) {
    const problem = body && typeof body === 'object' ? body : {};
    super(
      `${what}: HTTP ${status} ${problem.title ?? ''}${problem.detail ? ` — ${problem.detail}` : ''}` +
        (Array.isArray(problem.blockedBy) ? ` [${problem.blockedBy.join('; ')}]` : '') +
        (Array.isArray(problem.errors) ? ` ${JSON.stringify(problem.errors)}` : ''),
    );
  }
}

class Client {
  constructor(
    private readonly base: string,
    readonly token: string,
    readonly name: string,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Json> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    if (!res.ok) throw new ApiFailure(res.status, parsed, `${this.name}: ${method} ${path}`);
    return parsed;
  }

  get(path: string): Promise<Json> {
    return this.call('GET', path);
  }

  post(path: string, body: unknown = {}, headers?: Record<string, string>): Promise<Json> {
    return this.call('POST', path, body, headers);
  }

  async upload(path: string, fields: Record<string, string>, file: Buffer, filename: string): Promise<Json> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(file)]), filename);
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.token}` },
      body: form,
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ApiFailure(res.status, parsed, `${this.name}: upload ${filename}`);
    return parsed;
  }
}

// ---------------------------------------------------------------------------------------------
// Sample documents: small, valid PDFs and text files with believable content

/** A one-page PDF with the given lines (Helvetica, WinAnsi: Latin-1 text only). */
function pdf(title: string, lines: string[]): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const body = [
    'BT /F1 16 Tf 72 740 Td',
    `(${esc(title)}) Tj`,
    '/F1 10 Tf 0 -28 Td 14 TL',
    ...lines.map((l) => `(${esc(l)}) '`),
    'ET',
  ].join('\n');
  const stream = Buffer.from(body, 'latin1');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream.toString('latin1')}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Title (${esc(title)}) /Producer (certflow demo) >>`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

interface Subject {
  product: string;
  variant?: string;
  spec: string;
}

/** A believable document of the given evidence kind for the subject, as PDF or text. */
function sampleDocument(
  kind: string,
  subject: Subject,
  issuer: string,
  issuedAt: string,
): { file: Buffer; name: string } {
  const who = subject.variant ? `${subject.product} - variant ${subject.variant}` : subject.product;
  const head = [`Subject: ${who}`, `Specification: ${subject.spec}`, `Issued by: ${issuer}, ${issuedAt}`, ''];
  const slug = (subject.variant ?? 'base').toLowerCase().replace(/[^a-z0-9]+/g, '-');
  switch (kind) {
    case 'bill-of-materials':
      return {
        name: `bom-${slug}.csv`,
        file: Buffer.from(
          [
            'item,part,manufacturer,rating,qty',
            '1,Spindle motor,Nakanishi-compatible,see specification,1',
            '2,Spindle drive (VFD),Delta VFD-E,230 V 1~ / 2.2 kW,1',
            '3,Stepper drivers,Leadshine DM556,48 V DC,3',
            '4,Emergency stop,Schneider XB5AS8445,IEC 60947-5-5,1',
            '5,Mains filter,Schaffner FN2090-10-06,250 V 10 A,1',
            '6,Controller board,open-cnc-ctrl rev C,24 V DC,1',
            '7,Enclosure and guard,steel 1.5 mm powder coated,IP54,1',
          ].join('\n') + '\n',
        ),
      };
    case 'standards-list':
      return {
        name: `standards-list-${slug}.txt`,
        file: Buffer.from(
          [
            `Applied standards - ${who}`,
            ...head,
            'EN ISO 12100:2010  Safety of machinery - risk assessment and risk reduction',
            'EN 60204-1:2018    Safety of machinery - electrical equipment of machines',
            'EN ISO 13849-1:2023 Safety-related parts of control systems',
            'EN ISO 16090-1:2018 Machining centres, milling machines - safety requirements',
            'EN 61000-6-2:2019 / EN 61000-6-4:2019  EMC immunity / emission, industrial',
            'EN IEC 63000:2018  RoHS technical documentation',
            'Gaps: none identified for the base design.',
          ].join('\n') + '\n',
        ),
      };
    default: {
      const titles: Record<string, string> = {
        'risk-assessment': 'Risk assessment (EN ISO 12100)',
        'technical-drawings': 'Design and manufacturing drawings',
        'electrical-safety-test-report': 'Electrical safety test report (EN 60204-1)',
        'mechanical-safety-test-report': 'Mechanical safety and guard test report (EN ISO 16090-1)',
        'emc-test-report': 'EMC test report (EN 61000-6-2 / -6-4)',
        'radio-test-report': 'Radio test report (EN 300 328)',
        'rf-exposure-assessment': 'RF exposure assessment (EN 62311)',
        'cybersecurity-assessment': 'Cybersecurity assessment (EN 18031-1)',
        'rohs-material-declaration': 'RoHS material declaration (EN IEC 63000)',
        instructions: 'Instructions for use',
        'marking-and-labels': 'CE marking and rating plate',
        'us-marking-and-labels': 'US labels (47 CFR 15.19 statement, NRTL mark)',
        'declaration-of-conformity': 'Declaration of conformity (draft)',
        'product-description': 'Product description and intended use',
        'production-control-records': 'Production control records',
        'fcc-compliance-information': 'FCC compliance information (47 CFR 2.1077)',
      };
      const title = titles[kind] ?? kind.replace(/-/g, ' ');
      return {
        name: `${kind}-${slug}.pdf`,
        file: pdf(title, [
          ...head,
          'Scope: the unit as built from the design files of the stated version.',
          'Method: as required by the standard named in the title; set-up photos on file.',
          'Result: PASS - all requirements met; no deviations recorded.',
          `Document ref: ${kind.toUpperCase().slice(0, 12)}-${slug.toUpperCase()}-${issuedAt.replace(/-/g, '')}`,
        ]),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The scenario

const MILL = {
  key: 'open-cnc-mill',
  name: 'Open CNC mill',
  designVersion: '2.1.0',
  sourceUrl: 'https://example.org/commons/open-cnc-mill',
  attributes: {
    kind: 'machinery',
    supplyVoltageAC: 230,
    motorPowerW: 800,
    enclosureMaterial: 'steel',
    digitalCircuitry: true,
    harmonisedStandards: 'full',
    intendedUsers: 'professional',
    placingOnMarket: '2027-03-01',
  },
};

const BASE_EVIDENCE: { kind: string; issuer: string }[] = [
  { kind: 'product-description', issuer: 'Open CNC Mill Commons' },
  { kind: 'standards-list', issuer: 'Open CNC Mill Commons' },
  { kind: 'risk-assessment', issuer: 'Open CNC Mill Commons' },
  { kind: 'technical-drawings', issuer: 'Open CNC Mill Commons' },
  { kind: 'bill-of-materials', issuer: 'Open CNC Mill Commons' },
  { kind: 'electrical-safety-test-report', issuer: 'Prüflabor Nord GmbH' },
  { kind: 'mechanical-safety-test-report', issuer: 'Prüflabor Nord GmbH' },
  { kind: 'emc-test-report', issuer: 'EMV Prüflabor Dresden' },
  { kind: 'rohs-material-declaration', issuer: 'Open CNC Mill Commons' },
  { kind: 'instructions', issuer: 'Open CNC Mill Commons' },
];

/** Events that move a case forward (never the failure, withdrawal or abandon branches). */
const FORWARD = [
  'COMPLETE_SCOPING',
  'SELECT_STANDARDS',
  'COMPLETE_RISK_ASSESSMENT',
  'SUBMIT_TEST_REPORTS',
  'COMPLETE_INSTRUCTIONS',
  'APPROVE_TECHNICAL_FILE',
  'SUBMIT_APPLICATION',
  'CERTIFICATE_ISSUED',
  'CONFIRM_PRODUCTION_CONTROL',
  'CONFIRM_INTEGRATION',
  'SIGN_DECLARATION',
  'APPLY_MARKING',
  'PLACE_ON_MARKET',
];

interface People {
  admin: Client;
  maintainer: Client;
  leipzig: Client;
  lyon: Client;
  legal: Client;
  auditor: Client;
  auditorWithout: Client;
  ids: Record<string, string>;
}

async function createPeople(base: string, adminToken: string): Promise<People> {
  const admin = new Client(base, adminToken, 'admin');
  const ids: Record<string, string> = {};
  const person = async (org: string, name: string, email: string, roles: string[]): Promise<Client> => {
    const organisations: Json[] = await admin.get('/organisations');
    const existing = organisations.find((o) => o.name === org);
    const organisation = existing ?? (await admin.post('/organisations', { name: org }));
    const user = await admin.post('/users', { name, email, organisationId: organisation.id, roles });
    ids[name] = user.id;
    const { token } = await admin.post(`/users/${user.id}/tokens`);
    return new Client(base, token, name);
  };
  return {
    admin,
    maintainer: await person('Open CNC Mill Commons', 'Mara Jensen', 'mara@commons.example.org', [
      'maintainer',
    ]),
    leipzig: await person('Fräswerk Leipzig GmbH', 'Jonas Weber', 'jonas@fraeswerk-leipzig.example', [
      'customiser',
    ]),
    lyon: await person('Atelier Numérique Lyon', 'Camille Laurent', 'camille@atelier-lyon.example', [
      'customiser',
    ]),
    legal: await person('Conformity Legal Team', 'Dr. Ana Sousa', 'ana.sousa@legal.example.org', ['legal']),
    auditor: await person('Nordic Conformity Audit AB', 'Erik Lindqvist', 'erik@nordic-audit.example', [
      'auditor',
    ]),
    auditorWithout: await person('Nordic Conformity Audit AB', 'Priya Raman', 'priya@nordic-audit.example', [
      'auditor',
    ]),
    ids,
  };
}

async function uploadEvidence(
  uploader: Client,
  owner: string,
  kind: string,
  subject: Subject,
  issuer: string,
  issuedAt = '2026-10-01',
): Promise<Json> {
  const { file, name } = sampleDocument(kind, subject, issuer, issuedAt);
  return uploader.upload(`/${owner}/evidence`, { kind, issuer, issuedAt }, file, name);
}

async function review(
  legal: Client,
  evidenceId: string,
  decision: 'accepted' | 'rejected',
  comment: string,
): Promise<void> {
  await legal.post(`/evidence/${evidenceId}/review`, { decision, comment });
}

interface Satisfy {
  /** Only requirements of these steps (default: all). */
  steps?: string[];
  /** Upload these kinds but leave them waiting for review. */
  leavePending?: string[];
  /** Upload these kinds and reject them (a second, accepted version is not made). */
  reject?: Record<string, string>;
  /** Leave these kinds missing altogether. */
  leaveMissing?: string[];
}

/** Uploads (as the workshop) and reviews (as legal) the evidence a case still needs. */
async function satisfy(
  c: Json,
  uploader: Client,
  legal: Client,
  subject: Subject,
  issuer: string,
  plan: Satisfy = {},
): Promise<void> {
  const current: Json = await legal.get(`/cases/${c.id}`);
  for (const r of current.requirements) {
    if (r.satisfied || r.gap === 'pending-review') continue;
    if (plan.steps && !plan.steps.includes(r.step)) continue;
    if (plan.leaveMissing?.includes(r.kind)) continue;
    const item = await uploadEvidence(uploader, `variants/${c.variantId}`, r.kind, subject, issuer);
    if (plan.leavePending?.includes(r.kind)) continue;
    const rejection = plan.reject?.[r.kind];
    if (rejection) await review(legal, item.id, 'rejected', rejection);
    else
      await review(legal, item.id, 'accepted', `Checked against the technical file: ${r.title} is complete.`);
  }
}

/** Sends forward events until the case reaches `until` (or no forward event is possible). */
async function advance(c: Json, workshop: Client, legal: Client, until: string): Promise<Json> {
  let current: Json = await legal.get(`/cases/${c.id}`);
  while (current.state !== until) {
    const event = current.allowedEvents
      .filter((e: Json) => FORWARD.includes(e.type))
      .sort((a: Json, b: Json) => FORWARD.indexOf(a.type) - FORWARD.indexOf(b.type))[0];
    if (!event) throw new Error(`case ${c.id} (${c.regime}) is stuck in ${current.state}`);
    const sender = event.signature || !event.roles.includes('customiser') ? legal : workshop;
    current = await sender.post(
      `/cases/${c.id}/events`,
      {
        type: event.type,
        comment: `${event.type.toLowerCase().replace(/_/g, ' ')}: done (demo)`,
        ...(event.signature ? { signature: { meaning: event.signature } } : {}),
      },
      { 'If-Match': `"${current.version}"` },
    );
  }
  return current;
}

/** Tries an endpoint that another feature provides; answers undefined when it is not there. */
async function optional<T>(what: string, work: () => Promise<T>, notes: string[]): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (
      error instanceof ApiFailure &&
      (error.status === 404 || error.status === 405) &&
      error.body?.code === 'ROUTE_NOT_FOUND'
    ) {
      notes.push(`${what}: this build has no such endpoint yet; skipped.`);
      return undefined;
    }
    throw error;
  }
}

interface Seeded {
  people: People;
  variants: { leipzig: Json; lyon: Json };
  cases: Json[];
  dossier?: Json;
  notes: string[];
}

async function seed(base: string, adminToken: string): Promise<Seeded> {
  const notes: string[] = [];
  const people = await createPeople(base, adminToken);
  const { maintainer, leipzig, lyon, legal, auditor } = people;

  say('  · the commons CNC mill and its base evidence');
  const product = await maintainer.post('/products', MILL);
  const baseSubject: Subject = {
    product: `${MILL.name} ${MILL.designVersion}`,
    spec: '230 V, 800 W spindle, steel enclosure',
  };
  for (const e of BASE_EVIDENCE) {
    const item = await uploadEvidence(
      maintainer,
      `products/${product.id}`,
      e.kind,
      baseSubject,
      e.issuer,
      '2026-09-15',
    );
    await review(
      legal,
      item.id,
      'accepted',
      'Base design evidence reviewed; reusable by variants it still covers.',
    );
  }

  say('  · two workshops and their variants');
  // Both workshops make their variants in the EU (Leipzig, Lyon): no EU economic operator to name.
  const spindle = await leipzig.post(`/products/${product.id}/variants`, {
    key: 'mill-1500w',
    name: 'Open CNC mill, 1.5 kW spindle',
    overrides: { motorPowerW: 1500, manufacturerEstablishedInEU: true },
  });
  // An ordinary 2.4 GHz Wi-Fi module tested to EN 300 328 in full: Module A stays open under RED.
  const wifi = await lyon.post(`/products/${product.id}/variants`, {
    key: 'mill-wifi',
    name: 'Open CNC mill with Wi-Fi controller',
    overrides: {
      radio: 'integrated',
      radioStandards: 'full',
      internetConnected: true,
      cybersecurityStandards: 'full',
      manufacturerEstablishedInEU: true,
    },
  });
  const spindleSubject: Subject = {
    product: MILL.name,
    variant: 'mill-1500w',
    spec: '230 V, 1500 W spindle, steel enclosure',
  };
  const wifiSubject: Subject = {
    product: MILL.name,
    variant: 'mill-wifi',
    spec: '230 V, 800 W, integrated 2.4 GHz Wi-Fi controller',
  };

  say('  · EU and US cases, advanced with reviewed evidence');
  const cases: Json[] = [];
  // Leipzig, EU Machinery Regulation, Module A: all the way to placed on the market.
  const euSpindle = await leipzig.post(`/variants/${spindle.id}/cases`, { regime: 'eu-mr', route: 'A' });
  await satisfy(euSpindle, leipzig, legal, spindleSubject, 'Prüflabor Nord GmbH');
  cases.push(await advance(euSpindle, leipzig, legal, 'placed_on_market'));
  // Leipzig, US FCC Part 15 B, SDoC: tested, the declaration waits for its reviewed document.
  const usSpindle = await leipzig.post(`/variants/${spindle.id}/cases`, {
    regime: 'us-fcc-15b',
    route: 'sdoc',
  });
  await satisfy(usSpindle, leipzig, legal, spindleSubject, 'Compliance Labs Inc.', {
    leavePending: ['declaration-of-conformity', 'fcc-compliance-information'],
  });
  cases.push(await advance(usSpindle, leipzig, legal, 'declaration'));
  // Lyon, EU Radio Equipment Directive, Module A: standards chosen, a radio report rejected.
  const euWifi = await lyon.post(`/variants/${wifi.id}/cases`, { regime: 'eu-red', route: 'A' });
  await satisfy(euWifi, lyon, legal, wifiSubject, 'RF Lab Lyon SAS', {
    steps: ['scoping', 'standards', 'risk-assessment'],
  });
  await advance(euWifi, lyon, legal, 'verification_testing');
  await satisfy(euWifi, lyon, legal, wifiSubject, 'RF Lab Lyon SAS', {
    steps: ['testing'],
    reject: {
      'radio-test-report':
        'Receiver blocking (EN 300 328 4.3.1.12) not measured; please retest and upload again.',
    },
  });
  cases.push(await legal.get(`/cases/${euWifi.id}`));
  // Lyon, US FCC intentional radiator, certification: just opened, nothing uploaded yet.
  cases.push(
    await lyon.post(`/variants/${wifi.id}/cases`, { regime: 'us-fcc-radio', route: 'certification' }),
  );

  say('  · an auditor grant and a dossier (generated by legal: auditors only read)');
  const expiresAt = new Date(Date.now() + 90 * 86_400_000).toISOString();
  await optional(
    'auditor grant',
    () =>
      legal.post('/auditor-grants', {
        userId: people.ids['Erik Lindqvist'],
        variantId: spindle.id,
        expiresAt,
      }),
    notes,
  );
  let dossier = await optional(
    'dossier',
    () => legal.post(`/variants/${spindle.id}/dossiers`, { market: 'EU' }),
    notes,
  );
  const deadline = Date.now() + 60_000;
  while (dossier?.status === 'pending' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    dossier = await legal.get(`/dossiers/${dossier.id}`);
  }
  if (dossier && dossier.status !== 'ready')
    notes.push(`dossier ${dossier.id}: ${dossier.status} ${dossier.reason ?? ''}`);
  // The auditor's first look is part of the story: their variant list and its dossiers.
  await auditor.get('/variants');
  await optional('dossier list', () => auditor.get(`/variants/${spindle.id}/dossiers`), notes);
  return { people, variants: { leipzig: spindle, lyon: wifi }, cases, dossier, notes };
}

function report(url: string, s: Seeded, options: Options): void {
  const { people } = s;
  say();
  say(`certflow demo is ready: open ${url}/ and sign in with one of these tokens.`);
  say();
  const rows: [string, string, Client][] = [
    ['admin', 'Administrator', people.admin],
    ['maintainer', 'Mara Jensen, Open CNC Mill Commons', people.maintainer],
    ['customiser', 'Jonas Weber, Fräswerk Leipzig (1.5 kW spindle)', people.leipzig],
    ['customiser', 'Camille Laurent, Atelier Numérique Lyon (Wi-Fi)', people.lyon],
    ['legal', 'Dr. Ana Sousa, Conformity Legal Team', people.legal],
    ['auditor', 'Erik Lindqvist, granted the 1.5 kW variant', people.auditor],
    ['auditor', 'Priya Raman, no grant: sees nothing', people.auditorWithout],
  ];
  for (const [role, who, client] of rows) {
    say(`  ${role.padEnd(10)}  ${who}`);
    say(`              ${client.token}`);
  }
  say();
  say('Cases:');
  for (const c of s.cases)
    say(`  ${c.regime.padEnd(12)} route ${c.route.padEnd(14)} ${c.state.padEnd(24)} ${url}/#/cases/${c.id}`);
  if (s.dossier) say(`Dossier (EU, 1.5 kW variant): ${s.dossier.id} — ${s.dossier.status}`);
  for (const note of s.notes) say(`Note: ${note}`);
  say();
  say(`Data: ${options.dataDir} (started afresh on every run).`);
  writeFileSync(
    join(options.dataDir, 'demo-tokens.json'),
    JSON.stringify(
      Object.fromEntries(rows.map(([role, who, c]) => [who, { role, token: c.token }])),
      null,
      2,
    ) + '\n',
    { mode: 0o600 },
  );
}

async function run(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  prepareDataDir(options.dataDir);
  say(`Starting certflow on ${options.host}:${options.port} with SQLite in ${options.dataDir} …`);
  const { child, url } = await startService(options);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  try {
    const adminToken = readFileSync(join(options.dataDir, 'admin-token'), 'utf8').trim();
    say('Creating the demo scenario through the API:');
    const seeded = await seed(url, adminToken);
    report(url, seeded, options);
  } catch (error) {
    await stop();
    fail(`seeding failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (options.exit) {
    await stop();
    say('Seeded; the service is stopped (--exit). Run npm start with DATA_DIR to serve it again.');
    return;
  }
  say('Serving until Ctrl-C.');
  const shutdown = (): void => {
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  const [code] = await once(child, 'exit');
  process.exit(typeof code === 'number' ? code : 0);
}

void run();
