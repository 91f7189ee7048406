// What every end-to-end spec shares: tauri-driver started on a library in a
// fresh temporary directory (its own per spec file, so each file can run on
// its own), the binaries `cargo test` built, screenshots, and the few ways
// a teacher acts on the page.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session, sleep } from './webdriver';

export const root = resolve(__dirname, '../..');
const binDir = process.env.E2E_BIN_DIR ?? join(root, 'target/debug');
export const bins = {
  app: join(binDir, 'rounds-desktop'),
  rounds: join(binDir, 'rounds'),
  office: join(binDir, 'rounds-office'),
};
export const shots = join(root, 'target/e2e-screenshots');

export class Harness {
  readonly tmp = mkdtempSync(join(tmpdir(), 'rounds-e2e-'));
  /** The library the app opens (the benchmark points it at a prepared one before starting the driver). */
  data = join(this.tmp, 'data');
  /** The documents folder the app exports into (Rounds/ inside it). */
  readonly documents = join(this.tmp, 'documents');
  private driver: ChildProcess | null = null;
  /**
   * Whether the app keeps WebKit's compositing mode (ROUNDS_WEBKIT_COMPOSITING=1)
   * so that screenshots can be taken: WebKitGTK's WebDriver screenshot never
   * answers for a page drawn without it, the way Rounds draws on Linux
   * (src-tauri/src/startup.rs). The page and everything a test does on it are
   * the same either way; appbench.e2e.ts, which takes no screenshots, runs
   * the app as teachers do and checks that it does.
   */
  screenshots = true;
  /** tauri-driver's port (and WebKitWebDriver's, the next one): two harnesses run two apps side by side. */
  constructor(readonly port = 4444) {}
  get driverUrl() {
    return `http://127.0.0.1:${this.port}`;
  }
  private children: ChildProcess[] = [];
  s!: Session;

  /** Starts tauri-driver. The app inherits its environment: the library, WebKit's storage and the language all point into the temporary directory. */
  async startDriver(lang: 'zh' | 'en' = 'zh', extraEnv: Record<string, string> = {}) {
    // The documents folder, as the desktop's user-dirs file names it.
    mkdirSync(join(this.tmp, 'xdg/config'), { recursive: true });
    writeFileSync(join(this.tmp, 'xdg/config/user-dirs.dirs'), `XDG_DOCUMENTS_DIR="${this.documents}"\n`);
    this.driver = spawn('tauri-driver', ['--port', String(this.port), '--native-port', String(this.port + 1)], {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        ROUNDS_DATA: this.data,
        XDG_DATA_HOME: join(this.tmp, 'xdg'),
        XDG_CONFIG_HOME: join(this.tmp, 'xdg/config'),
        XDG_CACHE_HOME: join(this.tmp, 'xdg/cache'),
        LANG: lang === 'zh' ? 'zh_CN.UTF-8' : 'en_US.UTF-8',
        LANGUAGE: lang === 'zh' ? 'zh_CN' : 'en_US',
        ...(this.screenshots ? { ROUNDS_WEBKIT_COMPOSITING: '1' } : {}),
        ...extraEnv,
      },
    });
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`${this.driverUrl}/status`);
        if (r.ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
  }

  async startApp() {
    this.s = await Session.start(this.driverUrl, bins.app);
    await this.s.waitFor('.topbar');
  }

  /** Answers the first-start question for the teacher's name, if it is asked. */
  async giveName(name: string) {
    await this.s.waitFor('.first-start input[name=name]');
    await this.retype('.first-start input[name=name]', name);
    await this.s.exec(`document.querySelector('.first-start button[type=submit]').click()`);
    await this.s.until(`return !document.querySelector('.first-start')`);
  }

  async stop() {
    try {
      await this.s?.end();
    } catch {
      /* the app may already be gone */
    }
    // Kill the whole group: tauri-driver leaves WebKitWebDriver behind otherwise.
    if (this.driver?.pid) {
      try {
        process.kill(-this.driver.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      // Until the old driver lets its port go, the next harness's driver
      // cannot bind it, and the next start would ask the dying one.
      for (let i = 0; i < 50; i++) {
        try {
          await fetch(`${this.driverUrl}/status`);
        } catch {
          break;
        }
        await sleep(100);
      }
    }
    for (const c of this.children) c.kill();
  }

  /** Screenshots show the window filling the 1366×768 screen, as a teacher on such a screen would keep it. */
  private sized: Session | null = null;

  async shot(name: string) {
    if (!this.screenshots) throw new Error(`screenshot ${name}: this harness runs the app without WebKit's compositing mode, where WebDriver screenshots never answer`);
    if (this.sized !== this.s) {
      this.sized = this.s;
      await this.s.setRect({ x: 0, y: 0, width: 1366, height: 768 }).catch(() => {});
    }
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, `${name}.png`), await this.s.screenshot());
  }

  value(css: string) {
    return this.s.exec<string>(`return document.querySelector(${JSON.stringify(css)})?.value ?? null`);
  }

  /** Replaces the text of an input as a teacher would: select all, type. */
  async retype(css: string, text: string) {
    const el = await this.s.waitFor(css);
    await this.s.exec(`const e = document.querySelector(${JSON.stringify(css)}); e.focus(); e.select();`);
    await this.s.type(el, text);
  }

  /** Clicks the first button under `scope` whose text contains `text`. */
  async clickButton(scope: string, text: string) {
    await this.s.until(`return [...document.querySelectorAll(${JSON.stringify(scope + ' button')})].some(b => b.textContent.includes(${JSON.stringify(text)}))`);
    await this.s.exec(`[...document.querySelectorAll(${JSON.stringify(scope + ' button')})].find(b => b.textContent.includes(${JSON.stringify(text)})).click()`);
  }

  async waitSaved() {
    await this.s.until(`return document.querySelector('.save-state.saved') !== null`, [], 15_000);
  }

  run(bin: string, args: string[]) {
    return execFileSync(bin, args, { encoding: 'utf8' }).trim();
  }

  /** Stops the office servers this harness started (their data stays): the link is down. */
  stopOffices() {
    for (const c of this.children) c.kill();
    this.children = [];
  }

  /** Starts a real office server with the given members (a name, or a name with a site and a role); returns its URL and each member's one-time code. */
  async office(members: (string | { name: string; site?: string; role?: string })[]): Promise<{ url: string; codes: string[]; dir: string }> {
    const dir = join(this.tmp, 'office');
    this.run(bins.office, ['--data', dir, 'office', 'create', '儿科虚拟教研室']);
    const codes = members.map((member) => {
      const m = typeof member === 'string' ? { name: member } : member;
      const extra = [...(m.site ? ['--site', m.site] : []), ...(m.role ? ['--role', m.role] : [])];
      const id = this.run(bins.office, ['--data', dir, 'member', 'add', m.name, ...extra]).split(/\s+/)[0];
      return this.run(bins.office, ['--data', dir, 'code', id]).split('\n').pop() as string;
    });
    const child = spawn(bins.office, ['--data', dir, 'serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.children.push(child);
    const url = await new Promise<string>((ok, fail) => {
      child.stdout!.on('data', (b: Buffer) => {
        const m = /listening on (http:\/\/\S+)/.exec(b.toString());
        if (m) ok(m[1]);
      });
      setTimeout(() => fail(new Error('the office did not start')), 10_000);
    });
    return { url, codes, dir };
  }
}
