/**
 * Opens a page in headless Chromium (Debian's `chromium`) over the DevTools protocol, saves a
 * full-page screenshot, and measures each figure (<img class="figure">) in screenshots of its own
 * region: how much of it is not background. A figure that the browser failed to draw is a blank
 * (or broken-image) box, whatever the HTML says.
 */
import { join } from "node:path";

export interface FigureRegion {
  readonly index: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Share of pixels that differ from the region's most common colour. */
  readonly inked: number;
  /** Distinct colours in the region (a blank box has one or two). */
  readonly colours: number;
}

export function chromiumPath(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
      try {
        if (Deno.statSync(join(dir, name)).isFile) return join(dir, name);
      } catch { /* next */ }
    }
  }
  return undefined;
}

/** Screenshots `url` into `screenshot` (PNG) and returns every figure's region and ink. */
export async function measureFigures(url: string, screenshot: string, width = 1000): Promise<FigureRegion[]> {
  const binary = chromiumPath();
  if (binary === undefined) throw new Error("no chromium on PATH (Debian: apt-get install -y chromium)");
  const profile = Deno.makeTempDirSync({ prefix: "ttt-chromium-" });
  const child = new Deno.Command(binary, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const browser = await devtoolsUrl(child.stderr);
    const port = new URL(browser).port;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const page = targets.find((t) => t.type === "page");
    if (page === undefined) throw new Error("chromium opened no page");
    const cdp = await Cdp.open(page.webSocketDebuggerUrl);
    try {
      await cdp.send("Page.enable");
      await cdp.send("Emulation.setDeviceMetricsOverride", {
        width,
        height: 800,
        deviceScaleFactor: 1,
        mobile: false,
      });
      const loaded = cdp.event("Page.loadEventFired");
      await cdp.send("Page.navigate", { url });
      await loaded;
      const rects = (await cdp.send("Runtime.evaluate", {
        expression: `JSON.stringify([...document.querySelectorAll("img.figure")].map((img) => {
          const r = img.getBoundingClientRect();
          return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
        }))`,
        returnByValue: true,
        awaitPromise: true,
      }) as { result: { value: string } }).result.value;
      const regions = JSON.parse(rects) as { x: number; y: number; width: number; height: number }[];
      const full = await cdp.send("Page.captureScreenshot", {
        format: "png",
        captureBeyondViewport: true,
      }) as {
        data: string;
      };
      Deno.writeFileSync(screenshot, base64Bytes(full.data));
      const out: FigureRegion[] = [];
      for (const [index, r] of regions.entries()) {
        if (r.width < 1 || r.height < 1) {
          out.push({ index, ...r, inked: 0, colours: 0 });
          continue;
        }
        const shot = await cdp.send("Page.captureScreenshot", {
          format: "png",
          captureBeyondViewport: true,
          clip: { x: r.x, y: r.y, width: r.width, height: r.height, scale: 1 },
        }) as { data: string };
        const image = await decodePng(base64Bytes(shot.data));
        out.push({ index, ...r, ...ink(image) });
      }
      return out;
    } finally {
      cdp.close();
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await removeProfile(profile);
  }
}

/**
 * Removes Chromium's profile directory. Its helper processes (zygote, crash handler) can still be
 * writing there for a moment after the browser process is gone, so a removal that finds the
 * directory refilled ("Directory not empty") is retried; a profile that outlives the retries is
 * only a leftover temp directory, reported, not a failed measurement.
 */
async function removeProfile(profile: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      Deno.removeSync(profile, { recursive: true });
      return;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      if (attempt >= 20) {
        console.error(`could not remove Chromium's profile ${profile}: ${error}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function devtoolsUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`chromium exited before DevTools listened: ${seen.slice(-500)}`);
    seen += value;
    const match = seen.match(/DevTools listening on (ws:\/\/\S+)/);
    if (match) {
      reader.releaseLock();
      stderr.cancel().catch(() => {});
      return match[1];
    }
  }
}

/** The DevTools protocol over one WebSocket: numbered requests, events by name. */
class Cdp {
  private next = 0;
  private readonly pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  private readonly waiting = new Map<string, (params: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data as string);
      if (message.id !== undefined) {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) p?.fail(new Error(JSON.stringify(message.error)));
        else p?.ok(message.result);
      } else if (this.waiting.has(message.method)) {
        this.waiting.get(message.method)!(message.params);
        this.waiting.delete(message.method);
      }
    };
  }

  static open(url: string): Promise<Cdp> {
    const socket = new WebSocket(url);
    return new Promise((ok, fail) => {
      socket.onopen = () => ok(new Cdp(socket));
      socket.onerror = () => fail(new Error(`cannot connect to ${url}`));
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.next;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((ok, fail) => this.pending.set(id, { ok, fail }));
  }

  event(method: string): Promise<unknown> {
    return new Promise((ok) => this.waiting.set(method, ok));
  }

  close(): void {
    this.socket.close();
  }
}

function base64Bytes(data: string): Uint8Array {
  return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
}

export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array; // RGBA, row by row
}

/** A PNG as Chromium writes it: 8-bit RGB or RGBA, not interlaced. */
export async function decodePng(png: Uint8Array): Promise<Rgba> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const depth = data[8], colour = data[9], interlace = data[12];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      }
      channels = colour === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    at += 12 + length;
  }
  const inflated = new Uint8Array(
    await new Response(new Blob(idat as BlobPart[]).stream().pipeThrough(new DecompressionStream("deflate")))
      .arrayBuffer(),
  );
  const stride = width * channels;
  const raw = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = inflated[y * (stride + 1)];
    const line = inflated.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? raw[y * stride + x - channels] : 0;
      const b = y > 0 ? raw[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? raw[(y - 1) * stride + x - channels] : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      raw[y * stride + x] = (line[x] + predicted) & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) pixels[4 * i + k] = raw[i * channels + k];
    pixels[4 * i + 3] = channels === 4 ? raw[i * channels + 3] : 255;
  }
  return { width, height, pixels };
}

/** Share of pixels unlike the most common colour, and the number of distinct colours. */
export function ink(image: Rgba): { inked: number; colours: number } {
  const counts = new Map<number, number>();
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const p = image.pixels;
    const key = (p[4 * i] << 16) | (p[4 * i + 1] << 8) | p[4 * i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const background = Math.max(...counts.values());
  return { inked: n > 0 ? 1 - background / n : 0, colours: counts.size };
}
