/**
 * What `deno task test` needs besides Deno, checked before any test runs: Jupyter with the Deno
 * kernel (the notebooks), Chromium (the share screenshots), bubblewrap (the sandbox), gcc/g++
 * (model-written C kernels and C++ solvers) and nats-server (tests/nats_test.ts starts one on
 * 127.0.0.1 for remote rollout workers). As root on
 * Debian it installs what is missing with apt-get; anywhere else it stops at once with the commands.
 */
const PACKAGES: { what: string; present: () => boolean; debian: string[] }[] = [
  {
    what: "Jupyter (nbconvert, nbclient, ipykernel)",
    present: () =>
      succeeds("jupyter-nbconvert", ["--version"]) &&
      succeeds(jupyterPython(), ["-c", "import nbclient, ipykernel"]),
    debian: ["jupyter-nbconvert", "jupyter-client", "python3-nbclient", "python3-ipykernel"],
  },
  { what: "Chromium (headless screenshots)", present: () => onPath("chromium"), debian: ["chromium"] },
  { what: "bubblewrap (the sandbox)", present: () => onPath("bwrap"), debian: ["bubblewrap"] },
  {
    what: "nats-server (remote rollout workers)",
    present: () => onPath("nats-server"),
    debian: ["nats-server"],
  },
  {
    what: "gcc and g++ (C kernels, C++ solvers)",
    present: () => onPath("gcc") && onPath("g++"),
    debian: ["gcc", "g++"],
  },
];

function onPath(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

/** The interpreter jupyter-nbconvert runs on (its shebang), which may not be the first python3 on PATH. */
function jupyterPython(): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const first = Deno.readTextFileSync(`${dir}/jupyter-nbconvert`).split("\n")[0];
      if (first.startsWith("#!")) return first.slice(2).trim().split(/\s+/)[0];
    } catch { /* next */ }
  }
  return "python3";
}

function succeeds(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], env: Record<string, string> = {}): void {
  console.log(`$ ${command} ${args.join(" ")}`);
  const { success } = new Deno.Command(command, { args, env, stdout: "inherit", stderr: "inherit" })
    .outputSync();
  if (!success) {
    console.error(`failed: ${command} ${args.join(" ")}`);
    Deno.exit(1);
  }
}

const missing = PACKAGES.filter((p) => !p.present());
if (missing.length > 0) {
  const debs = missing.flatMap((p) => p.debian);
  const debian = (() => {
    try {
      return Deno.statSync("/etc/debian_version").isFile && onPath("apt-get");
    } catch {
      return false;
    }
  })();
  if (Deno.uid() === 0 && debian) {
    console.log(`installing ${missing.map((p) => p.what).join(", ")}`);
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", ...debs], { DEBIAN_FRONTEND: "noninteractive" });
  } else {
    console.error(`missing: ${missing.map((p) => p.what).join("; ")}. Install them, then rerun:`);
    console.error(`  sudo apt-get update && sudo apt-get install -y ${debs.join(" ")}`);
    console.error(`  npx -y deno@2 jupyter --install`);
    console.error(
      "(elsewhere: Jupyter with nbclient and ipykernel, e.g. `pip install nbconvert nbclient ipykernel`,",
    );
    console.error(
      " a Chromium or Chrome on PATH as `chromium`, bubblewrap as `bwrap`, and nats-server from nats.io)",
    );
    Deno.exit(1);
  }
}

// The Deno kernel, pointing at this Deno (npx may have put it somewhere new).
const kernel = (() => {
  try {
    const { kernelspecs } = JSON.parse(
      new TextDecoder().decode(
        new Deno.Command("jupyter", { args: ["kernelspec", "list", "--json"] }).outputSync().stdout,
      ),
    );
    return kernelspecs?.deno?.spec?.argv?.[0] as string | undefined;
  } catch {
    return undefined;
  }
})();
const realPath = (path: string | undefined) => {
  try {
    return path === undefined ? undefined : Deno.realPathSync(path);
  } catch {
    return undefined;
  }
};
if (realPath(kernel) !== realPath(Deno.execPath())) run(Deno.execPath(), ["jupyter", "--install", "--force"]);
console.log(
  "test prerequisites: Jupyter with the Deno kernel, Chromium, bubblewrap, gcc and g++, nats-server",
);
