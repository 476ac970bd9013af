import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Deterministic, realistic static-site builds for engine tests and the benchmark: content-hashed JS
 * chunks with source maps, CSS, images and fonts under `assets/`, HTML pages that reference them, public
 * files, and `version.json`. Sizes run from 200 B to 2 MB, skewed small as in real Vite output.
 *
 * Successive versions change a few "lazy" chunks (referenced only from index.html) per version, so a
 * deploy of version v+1 after v copies `churn` new chunks + index.html + version.json and retires the
 * old chunks — the shape of a real incremental release.
 */
export interface SiteFile {
  path: string;
  content: Buffer;
}

export interface SiteSpec {
  /** Total number of files (≥ 20). */
  files: number;
  version: number;
  /** Written into version.json, as the dashboard build does. */
  commit: string;
  /** Lazy chunks changed per version (default 8). */
  churn?: number;
}

/** A small deterministic PRNG (mulberry32), seeded per slot so any file can be produced alone. */
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

function seedOf(...parts: Array<string | number>): number {
  return createHash('sha1').update(parts.join(':')).digest().readUInt32LE(0);
}

/** 200 B … max, skewed towards small files. */
function sizeFor(random: () => number, min: number, max: number): number {
  const u = random();
  return Math.round(min * (max / min) ** (u * u * u));
}

const FILLER = (() => {
  const random = prng(7);
  const buffer = Buffer.alloc(64 * 1024);
  for (let i = 0; i < buffer.length; i += 1) buffer[i] = Math.floor(random() * 256);
  return buffer;
})();

/** Bytes that differ per (slot, revision) at the head and are cheap to produce for megabytes. */
function body(header: string, size: number, offset: number): Buffer {
  const head = Buffer.from(header);
  const out = Buffer.alloc(Math.max(size, head.length));
  head.copy(out, 0);
  for (let i = head.length; i < out.length; i += FILLER.length) {
    FILLER.copy(out, i, (offset + i) % 1024, Math.min(FILLER.length, out.length - i + ((offset + i) % 1024)));
  }
  return out;
}

function hash8(content: Buffer): string {
  // base64url of the content hash, like Vite's; force a digit so the hashed-asset rule always applies.
  const h = createHash('sha256').update(content).digest('base64url').slice(0, 7);
  return `${h}${content.length % 10}`;
}

interface Kind {
  name: string;
  ext: string;
  min: number;
  max: number;
  share: number;
}

const KINDS: Kind[] = [
  { name: 'chunk', ext: 'js', min: 200, max: 300_000, share: 0.3 },
  { name: 'style', ext: 'css', min: 300, max: 60_000, share: 0.05 },
  { name: 'image', ext: 'png', min: 200, max: 2_000_000, share: 0.1 },
  { name: 'photo', ext: 'webp', min: 2_000, max: 2_000_000, share: 0.03 },
  { name: 'icon', ext: 'svg', min: 200, max: 8_000, share: 0.05 },
  { name: 'font', ext: 'woff2', min: 10_000, max: 120_000, share: 0.02 },
];

/** How many times lazy chunk `slot` changed in versions 1..version. */
function revisionOf(slot: number, version: number, lazy: number, churn: number): number {
  let revision = 0;
  for (let v = 2; v <= version; v += 1) {
    const random = prng(seedOf('churn', v));
    const picked = new Set<number>();
    while (picked.size < Math.min(churn, lazy)) picked.add(Math.floor(random() * lazy));
    if (picked.has(slot)) revision += 1;
  }
  return revision;
}

export function generateSite(spec: SiteSpec): SiteFile[] {
  const churn = spec.churn ?? 8;
  const files: SiteFile[] = [];
  const publicFiles: SiteFile[] = [
    {
      path: 'favicon.svg',
      content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><circle r="8"/></svg>'),
    },
    { path: 'robots.txt', content: Buffer.from('User-agent: *\nAllow: /\n') },
    {
      path: 'manifest.webmanifest',
      content: Buffer.from(JSON.stringify({ name: 'Sophia', start_url: '/', display: 'standalone' })),
    },
    {
      path: 'version.json',
      content: Buffer.from(JSON.stringify({ commit: spec.commit, builtAt: '2026-11-23T09:00:00.000Z' })),
    },
  ];
  // index.html + pages + assets (each JS chunk has a .map) + public files = spec.files
  const budget = Math.max(20, spec.files) - publicFiles.length - 1;
  const pages = Math.max(2, Math.round(budget * 0.12));
  const assetBudget = budget - pages;
  const totalShare = KINDS.reduce((s, k) => s + k.share, 0) + KINDS[0]!.share; // maps double the chunks
  const counts = KINDS.map((k) => Math.max(1, Math.floor((assetBudget * k.share) / totalShare)));
  const chunkCount = counts[0]!;
  counts[0] = chunkCount;
  const used = counts.reduce((s, c) => s + c, 0) + chunkCount;
  counts[2] = (counts[2] ?? 0) + (assetBudget - used); // round-off goes to images
  const lazy = Math.max(1, Math.min(churn * 4, Math.floor(chunkCount / 4)));

  const assetNames: string[][] = KINDS.map(() => []);
  KINDS.forEach((kind, k) => {
    for (let slot = 0; slot < (counts[k] ?? 0); slot += 1) {
      const random = prng(seedOf(kind.name, slot));
      const size = sizeFor(random, kind.min, kind.max);
      const revision = kind.name === 'chunk' && slot < lazy ? revisionOf(slot, spec.version, lazy, churn) : 0;
      const content = body(`/* ${kind.name} ${slot} r${revision} */\n`, size, slot * 31 + revision);
      const name = `assets/${kind.name}-${slot}-${hash8(content)}.${kind.ext}`;
      assetNames[k]!.push(name);
      files.push({ path: name, content });
      if (kind.name === 'chunk') {
        const map = body(`{"version":3,"file":"${name}","r":${revision}}`, Math.round(size * 1.5), slot);
        files.push({ path: `${name}.map`, content: map });
      }
    }
  });

  const chunks = assetNames[0]!;
  const styles = assetNames[1]!;
  const images = assetNames[2]!;
  const page = (title: string, scripts: string[], css: string[], imgs: string[], extra: string): Buffer =>
    Buffer.from(
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
        css.map((c) => `<link rel="stylesheet" href="/${c}">`).join('') +
        `</head><body>${imgs.map((i) => `<img src="/${i}" alt="">`).join('')}` +
        scripts.map((s) => `<script type="module" src="/${s}"></script>`).join('') +
        `${extra}</body></html>`,
    );
  for (let p = 0; p < pages; p += 1) {
    const random = prng(seedOf('page', p));
    const pick = (list: string[], from: number) =>
      list.length <= from ? [] : [list[from + Math.floor(random() * (list.length - from))]!];
    const content = page(
      `Page ${p}`,
      [...pick(chunks, lazy), ...pick(chunks, lazy)],
      pick(styles, 0),
      pick(images, 0),
      `<p>${'Lorem ipsum dolor sit amet. '.repeat(1 + Math.floor(random() * 40))}</p>`,
    );
    files.push({ path: `docs/page-${p}.html`, content });
  }
  files.push({
    path: 'index.html',
    content: page(
      'Sophia dashboard',
      chunks.slice(0, lazy),
      styles.slice(0, 1),
      images.slice(0, 1),
      `<!-- v${spec.version} -->`,
    ),
  });
  files.push(...publicFiles);
  return files;
}

export async function writeSite(dir: string, files: readonly SiteFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const folders = new Set(files.map((f) => dirname(join(dir, f.path))));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  for (const file of files) await writeFile(join(dir, file.path), file.content);
}

/** Site-relative asset paths an HTML page references (`src` / `href` starting with `/`). */
export function referencedAssets(html: string): string[] {
  const refs = new Set<string>();
  for (const match of html.matchAll(/\s(?:src|href)="\/([^"#?]+)"/g)) if (match[1]) refs.add(match[1]);
  return [...refs];
}
