import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { applicabilityRows, benchApplicability, type ApplicabilityFigures } from './applicability.bench.js';
import { auditRows, benchAudit, type AuditFigures } from './audit.bench.js';
import { benchDossier, type DossierBenchFigures } from './dossier.bench.js';
import { formatTable, progress, type Row } from './stats.js';
import { benchTransitions, repoRoot, transitionRows, type TransitionFigures } from './transitions.bench.js';
import { benchUpload, type UploadFigures } from './upload.bench.js';

/*
 * `npm run bench`: every benchmark against its raw baseline in one run, a table on stdout and
 * bench/results.json. Progress goes to stderr. The figures are ratios measured side by side
 * (the machine may be shared and noisy); the absolute numbers are there for scale. A benchmark
 * that fails is reported and the others still run; the exit code is then 1.
 */

const started = performance.now();
const failures: string[] = [];

async function section<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    progress(`${name} FAILED: ${String(error)}`);
    return undefined;
  }
}

const applicability = await section<ApplicabilityFigures>('applicability', benchApplicability);
const audit = await section<AuditFigures>('audit', benchAudit);
progress('dossier vs raw pdfkit, and peak RSS at 300 and 1,200 pages');
const dossier = await section<DossierBenchFigures>('dossier', benchDossier);
progress('1 GiB evidence upload');
const upload = await section<UploadFigures>('upload', () => benchUpload(progress));
const transitions = await section<TransitionFigures>('transitions', benchTransitions);

const figures = {
  transitionsVsRawSqlite: transitions?.transitionsVsRawSqlite,
  httpVsInProcess16: transitions?.httpVsInProcess16,
  p99UnderDossierVsIdle: transitions?.p99UnderDossierVsIdle,
  dossierVsRawPdfkit: dossier?.dossierVsRawPdfkit,
  applicabilityVsHandCoded: applicability?.applicabilityVsHandCoded,
  auditVerify10kMs: audit?.auditVerify10kMs,
  transitionsCpuVsRawSqlite: transitions?.transitionsCpuVsRawSqlite,
  http16VsRawSqlite: transitions?.http16VsRawSqlite,
  rss300Mb: dossier?.rss300Mb,
  rss1200Mb: dossier?.rss1200Mb,
  rss1200Vs300: dossier?.rss1200Vs300,
  dossier300Evidence2000RecordsMs: dossier?.large300x2000Ms,
  dossier300Evidence2000RecordsRssMb: dossier?.large300x2000RssMb,
  upload1GiBPeakRssMb: upload?.upload1GiBPeakRssMb,
  uploadVsRawWrite: upload?.uploadVsRawWrite,
  transitions: transitions && {
    sqlite: {
      raw: transitions.sqlite.raw,
      inProcess1: transitions.sqlite.inProcess1,
      inProcess16: transitions.sqlite.inProcess16,
      http1: transitions.sqlite.http1,
      http16: transitions.sqlite.http16,
    },
    postgres: transitions.postgres,
  },
};
/** The targets of issue 7 (and issue 4's upload memory), checked against this run's figures. */
const TARGETS: { figure: keyof typeof figures; at: 'least' | 'most'; value: number }[] = [
  { figure: 'transitionsVsRawSqlite', at: 'least', value: 0.5 },
  { figure: 'httpVsInProcess16', at: 'least', value: 0.7 },
  { figure: 'http16VsRawSqlite', at: 'least', value: 1 },
  { figure: 'p99UnderDossierVsIdle', at: 'most', value: 2 },
  { figure: 'dossierVsRawPdfkit', at: 'most', value: 1.5 },
  { figure: 'applicabilityVsHandCoded', at: 'least', value: 0.2 },
  { figure: 'auditVerify10kMs', at: 'most', value: 200 },
  { figure: 'rss1200Vs300', at: 'most', value: 2 },
  { figure: 'upload1GiBPeakRssMb', at: 'most', value: 200 },
];
const targets = TARGETS.map((t) => {
  const measured = figures[t.figure] as number | undefined;
  const met = measured === undefined ? null : t.at === 'least' ? measured >= t.value : measured <= t.value;
  return { ...t, measured, met };
});

const results = {
  generatedAt: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model },
  seconds: Math.round((performance.now() - started) / 1000),
  figures,
  targets,
  details: { transitions, dossier, upload, audit, applicability },
  failures,
};
const file = join(repoRoot(), 'bench', 'results.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

const rows: Row[] = [
  ['figure', 'value', 'target and what was compared'],
  ...(transitions ? transitionRows(transitions) : []),
  ...(dossier
    ? ([
        [
          'dossier ÷ raw pdfkit',
          `${dossier.dossierVsRawPdfkit}`,
          `≤ 1.5  (CPU ${dossier.dossierMs} vs ${dossier.rawPdfkitMs} ms, wall ${dossier.dossierWallMs} vs ${dossier.rawPdfkitWallMs} ms, ${dossier.dossierPages} pages)`,
        ],
        [
          'dossier RSS 1,200 ÷ 300',
          `${dossier.rss1200Vs300}`,
          `≤ 2  (${dossier.rss1200Mb} MB vs ${dossier.rss300Mb} MB peak)`,
        ],
        [
          'dossier, 300 evidence + 2,000 records',
          `${dossier.large300x2000Ms} ms`,
          `${dossier.large300x2000Pages} pages; peak RSS ${dossier.large300x2000RssMb} MB in a fresh process`,
        ],
      ] satisfies Row[])
    : []),
  ...(upload
    ? ([
        [
          'upload 1 GiB, peak RSS',
          `${upload.upload1GiBPeakRssMb} MB`,
          `< 200  (idle ${upload.upload1GiBIdleRssMb} MB; ${upload.upload1GiBMBps} MB/s, ${upload.uploadVsRawWrite} × raw hash+write)`,
        ],
      ] satisfies Row[])
    : []),
  ...(applicability ? applicabilityRows(applicability) : []),
  ...(audit ? auditRows(audit) : []),
];
const missed = targets.filter((t) => t.met === false);
process.stdout.write(
  `${formatTable(rows)}\n\ntargets met: ${targets.filter((t) => t.met).length} of ${targets.length}` +
    (missed.length > 0
      ? `; missed: ${missed.map((t) => `${t.figure} ${t.measured} (at ${t.at} ${t.value})`).join(', ')}`
      : '') +
    `\nwritten to ${file} in ${results.seconds} s\n`,
);
if (failures.length > 0) {
  process.stderr.write(`\n${failures.length} benchmark(s) failed:\n${failures.join('\n')}\n`);
  process.exitCode = 1;
}
