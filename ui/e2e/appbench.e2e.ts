// The desktop app measured as a teacher meets it: the real app (release
// build under `make bench`, the debug one here) under Xvfb, driven by
// WebDriver. What it measures:
// - launch to library shown (the page's `rounds:library-shown` mark), on a
//   cold page cache (the app's files, its libraries and WebKit's, the fonts
//   and the library evicted first) and warm;
// - the memory of the whole process tree (the app and every process it
//   started: WebKit's web and network processes), resident (RSS) and
//   proportional (PSS: shared pages split between the processes that map
//   them), after the library is shown, after many searches and after
//   minutes of editing; and WebKit's floor: the same app, on the same
//   library, showing an empty page (ROUNDS_BLANK_PAGE=1);
// - keystroke to screen in a 20 KB text field: from the keydown to the
//   first frame after it (a timer queued in the next animation frame runs
//   after that frame is painted);
// - saves of that field as the page sees them: the `edit_doc_at` call's
//   round trip, the 20 KB text to the app and the saved document back.
//
// Run alone by `make test` (small, with assertions that the figures are
// whole), and by rounds-bench (`make bench`) with APPBENCH_OUT set: it then
// writes the figures there as JSON, and nothing here judges a time.

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Harness, bins } from './harness';
import { Session, sleep } from './webdriver';

const out = process.env.APPBENCH_OUT;
const num = (name: string, quick: number) => Number(process.env[name] ?? quick);
const cfg = {
  /** Documents in the library when the script makes it (rounds-bench passes its own). */
  docs: num('APPBENCH_DOCS', 60),
  searches: num('APPBENCH_SEARCHES', 12),
  editSeconds: num('APPBENCH_EDIT_SECONDS', 10),
  /** Seconds between memory samples while editing. */
  sampleEvery: num('APPBENCH_SAMPLE_SECONDS', 5),
  library: process.env.APPBENCH_DATA,
  cold: process.env.APPBENCH_COLD === '1',
  /** Also measure the app in WebKit's compositing mode (ROUNDS_WEBKIT_COMPOSITING=1), for comparison; APPBENCH_COMPOSITED=0 leaves it out. */
  composited: process.env.APPBENCH_COMPOSITED !== '0',
};
const extraEnv = JSON.parse(process.env.APPBENCH_APP_ENV ?? '{}') as Record<string, string>;

const BIG_FIELD = 'learner_analysis';
const BIG_TITLE = '新生儿黄疸的识别与光疗指征（长文测量）';

// Search words across the generated library's topics, Chinese and English,
// whole words and the prefixes search-as-you-type meets on the way.
const QUERIES = ['黄疸', '光疗', '热性惊厥', '惊厥', '腹泻', '口服补液', '川崎病', '哮喘', '转诊', '肺炎', '喂养', '疫苗', 'fever', 'bronchiolitis', 'oxygen', 'asthma', 'jaundice', 'dehydration', 'seizure', 'referral'];

/** About `bytes` bytes of teaching text (UTF-8): paragraphs of a learner analysis, numbered so none repeats. */
export function longText(bytes: number): string {
  const parts = [
    '学生已经学过新生儿生理特点，但对胆红素代谢的理解停留在书本层面，',
    '在病房里判断皮肤黄染的范围和进展时常常犹豫不决；',
    'some residents read the hour-specific nomogram well but forget the risk factors that lower the treatment line, ',
    '本节课安排床旁观察、经皮胆红素测定和光疗箱操作三个环节，',
    'and each group presents one infant to the attending at the end of the morning. ',
    '课后请每位同学写下一例需要换血评估的情形，并说明理由。',
  ];
  let s = '';
  for (let i = 1; Buffer.byteLength(s) < bytes; i++) s += `${i}. ${parts[i % parts.length]}${parts[(i + 2) % parts.length]}\n`;
  return s;
}

type Proc = { pid: number; name: string; rss: number; pss: number };
export type Memory = { rss: number; pss: number; procs: Proc[] };

/** The app's processes and every process under them, with their memory in bytes. */
export function memory(appExe: string): Memory {
  const parent = new Map<number, number>();
  const roots: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // The name may hold spaces and parentheses: the fields start after the last ')'.
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (readlinkSync(`/proc/${d}/exe`) === appExe) roots.push(pid);
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  const all = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, pp] of parent)
      if (all.has(pp) && !all.has(pid)) {
        all.add(pid);
        grew = true;
      }
  }
  const procs: Proc[] = [];
  for (const pid of all) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
      procs.push({
        pid,
        name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?',
        rss: kb(status, 'VmRSS'),
        pss: kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'),
      });
    } catch {
      /* gone meanwhile */
    }
  }
  return { rss: procs.reduce((a, p) => a + p.rss, 0), pss: procs.reduce((a, p) => a + p.pss, 0), procs };
}

/** The processes of the app's tree that run with WebKit's compositing mode off (src-tauri/src/startup.rs restarts the app so). */
export function withoutCompositing(appExe: string): string[] {
  return memory(appExe)
    .procs.filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').includes('WEBKIT_DISABLE_COMPOSITING_MODE=1');
      } catch {
        return false;
      }
    })
    .map((p) => p.name);
}

/** Memory once the app has been idle for a few seconds (WebKit frees some of what a page load took on a timer). */
async function settled(appExe: string): Promise<Memory> {
  await sleep(4000);
  return memory(appExe);
}

/** Drops from the page cache what launching the app reads from disk: a cold start after a reboot, or after other work pushed it out. */
function evict(files: string[]) {
  for (const f of files) {
    try {
      execFileSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);
    } catch {
      /* unreadable: left as it is */
    }
  }
}

/** The files a launch reads: the app and the libraries it and WebKit's processes load, WebKit's helpers, the fonts and the library. */
function launchFiles(appExe: string, data: string): string[] {
  const webkitDir = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1';
  const helpers = (() => {
    try {
      return readdirSync(webkitDir, { recursive: true }).map((f) => join(webkitDir, String(f)));
    } catch {
      return [];
    }
  })();
  const libs = new Set<string>();
  for (const exe of [appExe, ...helpers.filter((f) => /WebKit(Web|Network)Process$/.test(f))]) {
    try {
      for (const m of execFileSync('ldd', [exe], { encoding: 'utf8' }).matchAll(/=> (\/\S+)/g)) libs.add(m[1]);
    } catch {
      /* not a dynamic executable */
    }
  }
  const fonts = (() => {
    try {
      return execFileSync('fc-list', ['--format', '%{file}\n'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    } catch {
      return [];
    }
  })();
  return [appExe, ...helpers, ...libs, ...fonts, ...readdirSync(data).map((f) => join(data, f))];
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN);
  return { n: s.length, p50: at(50), p95: at(95), p99: at(99), max: s.length ? s[s.length - 1] : NaN };
}

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.stop();
});

/** Starts the app on `data` and returns the harness and the milliseconds from asking for it to its library on screen. */
async function launch(data: string, port: number, env: Record<string, string> = {}): Promise<{ h: Harness; ms: number }> {
  const h = new Harness(port);
  harnesses.push(h);
  h.data = data;
  // As teachers run it: no screenshots are taken here.
  h.screenshots = false;
  await h.startDriver('zh', { ...extraEnv, ...env });
  const asked = Date.now();
  h.s = await Session.start(h.driverUrl, bins.app);
  if (env.ROUNDS_BLANK_PAGE) {
    await h.s.until(`return document.readyState === 'complete'`, [], 60_000);
    return { h, ms: Date.now() - asked };
  }
  await h.s.until(`return performance.getEntriesByName('rounds:library-shown').length > 0`, [], 120_000);
  const shown = await h.s.exec<number>(`return performance.timeOrigin + performance.getEntriesByName('rounds:library-shown')[0].startTime`);
  return { h, ms: shown - asked };
}

/** Stops an app and waits until none of its processes is left, so the next measurement sees only its own. */
async function close(h: Harness, appExe: string) {
  await h.stop();
  for (let i = 0; i < 100 && memory(appExe).procs.length > 0; i++) await sleep(100);
  for (const p of memory(appExe).procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Types into the search box and waits until the library shows that query's answer. */
async function search(h: Harness, q: string) {
  await h.retype('#search', q);
  await h.s.until(`return document.querySelector('section.library')?.dataset.shownFor === arguments[0]`, [q], 30_000);
}

/** Opens the long document from a search for its title. */
async function openBig(h: Harness) {
  await h.s.exec(`document.querySelector('.topbar .brand').click()`);
  await h.s.waitFor('#search');
  await search(h, BIG_TITLE);
  await h.s.exec(`[...document.querySelectorAll('.doclist button.doc')].find((b) => b.textContent.includes(arguments[0])).click()`, [BIG_TITLE]);
  await h.s.waitFor(`textarea[data-field=${BIG_FIELD}]`, 30_000);
}

// Records keystroke-to-frame times in the page (saves are timed by the
// page itself: the `rounds:save` measures of ui/src/api.ts).
const PROBE = `
if (!window.__bench) {
  window.__bench = { keys: [], short: [] };
  document.addEventListener('keydown', (e) => {
    const into = e.target instanceof HTMLTextAreaElement ? window.__bench.keys : e.target.matches('.title-input') ? window.__bench.short : null;
    if (!into) return;
    const now = performance.now();
    // Event.timeStamp is on the page's clock in WebKit; if not, the listener's time.
    const t0 = e.timeStamp > 0 && e.timeStamp <= now ? e.timeStamp : now;
    requestAnimationFrame(() => setTimeout(() => into.push(performance.now() - t0), 0));
  }, true);
  performance.clearMeasures('rounds:save');
}`;

describe('the desktop app, measured', () => {
  it(
    'launches, searches and takes typing with its memory measured',
    async () => {
      const appExe = realpathSync(bins.app);
      // A listing of 10,000 documents is far more than execFileSync's default 1 MB of output.
      const rounds = (args: string[]) => execFileSync(bins.rounds, ['--data', data, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
      const scratch = new Harness();
      harnesses.push(scratch);
      const data = cfg.library ?? scratch.data;
      if (!cfg.library) {
        rounds(['profile', '--name', '王老师']);
        rounds(['generate', String(cfg.docs), '--seed', '11']);
      }
      const bigFile = join(scratch.tmp, 'long.txt');
      const big = longText(20_000);
      writeFileSync(bigFile, big);
      const bigId = (JSON.parse(rounds(['new', 'lesson', BIG_TITLE, '--set-file', `${BIG_FIELD}=${bigFile}`, '--json'])) as { id: string }).id;
      const fieldText = () => String((JSON.parse(rounds(['show', bigId, '--json'])) as Record<string, unknown>)[BIG_FIELD] ?? '');
      const before = fieldText();
      const docs = (JSON.parse(rounds(['list', '--json'])) as unknown[]).length;

      // Cold, then warm: the same launch, the second finding its files cached.
      let coldMs: number | null = null;
      if (cfg.cold) {
        execFileSync('sync');
        evict(launchFiles(appExe, data));
        const cold = await launch(data, 4460);
        coldMs = cold.ms;
        await close(cold.h, appExe);
      }
      const { h, ms: warmMs } = await launch(data, 4462);
      const library = await settled(appExe);
      const uncomposited = withoutCompositing(appExe);

      const t0 = Date.now();
      for (let i = 0; i < cfg.searches; i++) await search(h, QUERIES[i % QUERIES.length]);
      const searchesMs = Date.now() - t0;
      const afterSearches = await settled(appExe);

      // Editing: keystrokes into the middle of the long field at about
      // eight a second, back to the library and into the document again
      // every half minute (a search on the way), memory sampled as it goes.
      await openBig(h);
      await h.s.exec(PROBE);
      const samples: { s: number; rss: number; pss: number }[] = [];
      const began = Date.now();
      let lastSample = 0;
      let lastReopen = began;
      let typed = 0;
      const css = `textarea[data-field=${BIG_FIELD}]`;
      const place = async () => {
        await h.s.exec(`const e = document.querySelector(${JSON.stringify(css)}); e.focus(); const n = Math.floor(e.value.length / 2); e.setSelectionRange(n, n);`);
        return h.s.find(css);
      };
      let el = await place();
      const word = '胆红素 bilirubin 光疗 ';
      while (Date.now() - began < cfg.editSeconds * 1000) {
        await h.s.type(el, word[typed % word.length]);
        typed++;
        await sleep(100);
        const now = Date.now();
        if (now - lastSample >= cfg.sampleEvery * 1000) {
          lastSample = now;
          const m = memory(appExe);
          samples.push({ s: (now - began) / 1000, rss: m.rss, pss: m.pss });
        }
        if (now - lastReopen >= 30_000) {
          lastReopen = now;
          await h.waitSaved();
          await openBig(h);
          el = await place();
        }
      }
      await h.waitSaved();

      // The floors of a keystroke. WebKit's own layout of the long field
      // after one character (inserted and removed again, so the page's
      // state and the field agree afterwards), and keystrokes into the
      // one-line title: the same way to the screen without the long text.
      const layout = await h.s.exec<number[]>(
        `const e = document.querySelector(${JSON.stringify(css)}); const out = [];
         for (let i = 0; i < 40; i++) {
           const n = Math.floor(e.value.length / 2);
           e.setRangeText('x', n, n, 'end');
           const t0 = performance.now(); e.scrollHeight; out.push(performance.now() - t0);
           e.setRangeText('', n, n + 1, 'end'); e.scrollHeight;
         }
         return out;`,
      );
      const title = await h.s.find('.title-input');
      await h.s.exec(`const e = document.querySelector('.title-input'); e.focus(); e.setSelectionRange(e.value.length, e.value.length);`);
      for (let i = 0; i < 40; i++) {
        await h.s.type(title, 'ab'[i % 2]);
        await sleep(100);
      }
      await h.waitSaved();
      const short = await h.s.exec<number[]>(`return window.__bench.short`);
      const got = await h.s.exec<{ keys: number[]; saves: number[] }>(
        `return { keys: window.__bench.keys, saves: performance.getEntriesByName('rounds:save', 'measure').map((m) => m.duration) }`,
      );
      const afterEditing = await settled(appExe);
      const savedText = fieldText();
      await close(h, appExe);

      // WebKit's floor: the same app and library, an empty page.
      const blank = await launch(data, 4464, { ROUNDS_BLANK_PAGE: '1' });
      const floor = await settled(appExe);
      await close(blank.h, appExe);

      // For comparison, WebKit's default: the compositing mode Rounds turns
      // off. A shorter pass: the library, a quarter of the searches, and
      // 100 keystrokes into the long field.
      let composited = null;
      if (cfg.composited) {
        const c = await launch(data, 4466, { ROUNDS_WEBKIT_COMPOSITING: '1' });
        const atLibrary = await settled(appExe);
        const n = Math.max(1, Math.floor(cfg.searches / 4));
        for (let i = 0; i < n; i++) await search(c.h, QUERIES[i % QUERIES.length]);
        const atSearches = await settled(appExe);
        await openBig(c.h);
        await c.h.s.exec(PROBE);
        const field = await c.h.s.find(css);
        await c.h.s.exec(`const e = document.querySelector(${JSON.stringify(css)}); e.focus(); const n = Math.floor(e.value.length / 2); e.setSelectionRange(n, n);`);
        for (let i = 0; i < 100; i++) {
          await c.h.s.type(field, word[i % word.length]);
          await sleep(100);
        }
        await c.h.waitSaved();
        const keys = await c.h.s.exec<number[]>(`return window.__bench.keys`);
        composited = {
          warm_launch_ms: c.ms,
          library: atLibrary,
          searches: n,
          after_searches: atSearches,
          keys: stats(keys),
          after_typing: await settled(appExe),
          uncomposited: withoutCompositing(appExe),
        };
        await close(c.h, appExe);
      }

      const result = {
        docs,
        big_field_bytes: Buffer.byteLength(before),
        cold_launch_ms: coldMs,
        warm_launch_ms: warmMs,
        library,
        searches: cfg.searches,
        searches_ms: searchesMs,
        after_searches: afterSearches,
        edit_seconds: cfg.editSeconds,
        typed,
        samples,
        after_editing: afterEditing,
        floor,
        keys: stats(got.keys),
        layout_floor: stats(layout),
        short_keys: stats(short),
        saves: stats(got.saves),
        saved_bytes: Buffer.byteLength(savedText),
        uncomposited,
        composited,
      };
      if (out) writeFileSync(out, JSON.stringify(result));

      // Whole figures, whatever their size: every keystroke reached the
      // screen and the document, every process was seen.
      expect(savedText.length).toBe(before.length + typed);
      expect(got.keys.length).toBe(typed);
      expect(short.length).toBe(40);
      expect(layout.length).toBe(40);
      expect(got.saves.length).toBeGreaterThan(0);
      expect(warmMs).toBeGreaterThan(0);
      // The app restarted itself without WebKit's compositing mode, and its
      // web process inherited that; unless asked to keep it.
      if (extraEnv.ROUNDS_WEBKIT_COMPOSITING === '1') expect(uncomposited).toEqual([]);
      else expect(uncomposited).toEqual(expect.arrayContaining(['rounds-desktop', 'WebKitWebProces']));
      if (composited) expect(composited.uncomposited).toEqual([]);
      for (const m of [library, afterSearches, afterEditing, floor]) {
        expect(m.procs.some((p) => p.name.startsWith('WebKitWebProces'))).toBe(true);
        expect(m.pss).toBeGreaterThan(0);
        expect(m.pss).toBeLessThanOrEqual(m.rss);
      }
    },
    (cfg.editSeconds + cfg.searches * 5 + 600) * 1000,
  );
});
