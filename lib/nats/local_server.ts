/**
 * A throwaway nats-server on 127.0.0.1 (a free port, a temporary store) for tests, benchmarks and
 * trying remote workers on one machine. Needs `nats-server` on PATH (Debian: apt-get install nats-server).
 */
export interface LocalServerOptions {
  /** Enable JetStream (default true). */
  readonly jetstream?: boolean;
  /** Largest message the server takes, in bytes (server default 1 MiB). */
  readonly maxPayload?: number;
  /** Require this token from clients. */
  readonly token?: string;
  /** Require this user and password from clients. */
  readonly user?: { readonly name: string; readonly password: string };
  /** Require the user nkey with this public key (U...) from clients. */
  readonly nkey?: string;
  /** Serve TLS only, with this certificate and key (PEM files). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its store. */
  stop(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const dir = await Deno.makeTempDir({ prefix: "ttt-nats-" });
  const port = freePort();
  const lines = [`listen: "127.0.0.1:${port}"`];
  if (options.jetstream ?? true) lines.push(`jetstream { store_dir: ${JSON.stringify(`${dir}/store`)} }`);
  if (options.maxPayload) lines.push(`max_payload: ${options.maxPayload}`);
  if (options.token) lines.push(`authorization { token: ${JSON.stringify(options.token)} }`);
  if (options.user) {
    lines.push(
      `authorization { user: ${JSON.stringify(options.user.name)}, password: ${
        JSON.stringify(options.user.password)
      } }`,
    );
  }
  if (options.nkey) lines.push(`authorization { users: [ { nkey: ${JSON.stringify(options.nkey)} } ] }`);
  if (options.tls) {
    lines.push(
      `tls { cert_file: ${JSON.stringify(options.tls.certFile)}, key_file: ${
        JSON.stringify(options.tls.keyFile)
      } }`,
    );
  }
  const conf = `${dir}/server.conf`;
  await Deno.writeTextFile(conf, lines.join("\n") + "\n");
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("nats-server", { args: ["-c", conf], stdout: "null", stderr: "piped" }).spawn();
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw new Error(
      `cannot start nats-server (${(e as Error).message}): install it (Debian: apt-get install nats-server)`,
    );
  }
  let log = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) log = (log + decoder.decode(chunk)).slice(-4000);
  })().catch(() => {});
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await reading;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const started = Date.now();
  while (true) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() - started > 15_000) {
        await stop();
        throw new Error(`nats-server did not start on port ${port} within 15 s: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { url: `${options.tls ? "tls" : "nats"}://127.0.0.1:${port}`, port, stop };
}
