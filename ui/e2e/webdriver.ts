// A small WebDriver client over fetch (Node's fetch keeps connections
// alive, which tauri-driver needs: clients that close each connection fail
// now and then). Transport errors are retried.

const ELEMENT = 'element-6066-11e4-a23f-4a5d53abcd12';

/** An element reference's id (W3C key, or the legacy `ELEMENT`). */
function elementId(v: Record<string, string>): string {
  return v[ELEMENT] ?? v.ELEMENT ?? Object.values(v)[0];
}

export class WebDriverError extends Error {}

export class Session {
  constructor(
    private base: string,
    readonly id: string,
  ) {}

  static async start(base: string, application: string, env?: Record<string, string>): Promise<Session> {
    const caps = { capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application, ...(env ? { env } : {}) } } } };
    const v = await call<{ sessionId: string }>(base, 'POST', '/session', caps);
    return new Session(base, v.sessionId);
  }

  private cmd<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css: string): Promise<string> {
    const v = await this.cmd<Record<string, string>>('POST', '/element', { using: 'css selector', value: css });
    return elementId(v);
  }

  async findAll(css: string): Promise<string[]> {
    const v = await this.cmd<Record<string, string>[]>('POST', '/elements', { using: 'css selector', value: css });
    return v.map(elementId);
  }

  /** Waits until `css` matches an element, and returns it. */
  async waitFor(css: string, timeoutMs = 10_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.findAll(css);
      if (found.length) return found[0];
      if (Date.now() > end) throw new WebDriverError(`no element matches ${css}`);
      await sleep(100);
    }
  }

  /** Waits until the script returns a truthy value. */
  async until<T>(script: string, args: unknown[] = [], timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.exec<T>(script, args);
      if (v) return v;
      if (Date.now() > end) throw new WebDriverError(`timed out waiting for: ${script}`);
      await sleep(100);
    }
  }

  click(el: string) {
    return this.cmd('POST', `/element/${el}/click`, {});
  }

  type(el: string, text: string) {
    return this.cmd('POST', `/element/${el}/value`, { text });
  }

  text(el: string) {
    return this.cmd<string>('GET', `/element/${el}/text`);
  }

  /** Moves and sizes the window. */
  async setRect(rect: { x: number; y: number; width: number; height: number }) {
    await this.cmd('POST', '/window/rect', rect);
  }

  /** Performs input actions (W3C Actions), such as a key chord, then releases every key. */
  async actions(actions: unknown[]) {
    await this.cmd('POST', '/actions', { actions });
    await this.cmd('DELETE', '/actions');
  }

  exec<T>(script: string, args: unknown[] = []) {
    return this.cmd<T>('POST', '/execute/sync', { script, args });
  }

  /** A PNG of the window, after two animation frames so it shows the current DOM. */
  async screenshot(): Promise<Buffer> {
    await this.cmd('POST', '/execute/async', {
      script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
      args: [],
    });
    return Buffer.from(await this.cmd<string>('GET', '/screenshot'), 'base64');
  }

  async end() {
    await this.cmd('DELETE', '');
  }
}

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      lastError = e;
      await sleep(200 * (attempt + 1));
      continue;
    }
    const json = (await res.json()) as { value: T & { error?: string; message?: string } };
    if (!res.ok) throw new WebDriverError(`${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  }
  throw new WebDriverError(`${method} ${path}: ${String(lastError)}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
