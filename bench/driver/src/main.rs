//! The Envoy benchmark driver. For Envoy without a filter and each
//! `--variant` module (Envoy `--concurrency 1`, a `direct_response` route),
//! two passes:
//!
//! - **wrk** (default): one Envoy per variant, all running at once, `wrk`
//!   rounds alternating between them; medians and paired ratios to the
//!   no-filter variant. Wall-clock numbers: they swing with other load on
//!   the machine.
//! - **callgrind** (`--callgrind`): each variant's Envoy under
//!   `valgrind --tool=callgrind`, `--jobs` at a time; `--warmup` requests on
//!   one keep-alive connection, then instrumentation on
//!   (`callgrind_control -i on`) for `--requests` more, then a dump
//!   (`callgrind_control -d`); instructions per request, above the empty
//!   module, and as a share of the `proxy-wasm` crate plugin's cost above
//!   the empty module. Deterministic to a few hundred instructions per
//!   request.
//!
//! - **HTTP calls** (`--call-variant NAME=MODULE`, repeatable, with
//!   `--callgrind`): the callgrind count again, for plugins that make one
//!   HTTP call per request to cluster `bench-token`, which the driver serves
//!   itself; reported as ratios to the raw-ABI floor.
//!
//! - **bodies** (`--body-variant NAME=MODULE`, repeatable): plugins that
//!   rewrite a buffered JSON request body and uppercase a streamed response
//!   body, at 1 KiB, 1 MiB and 100 MiB, through a real upstream: MB/s over
//!   `--body-rounds` rounds, memory across the 100 MiB requests, and with
//!   `--callgrind` instructions per byte; reported against the raw-ABI floor.
//!
//! - **a Go plugin** (`--acl-variant NAME=MODULE`, repeatable): Higress's Go
//!   `ip-acl` (its ABI marker renamed for stock Envoy) against gatewit's
//!   `ip-acl` example on the same configuration: start-up, RSS, size, and
//!   with `--callgrind` instructions per request.
//!
//! - **start-up** (`--startup NAME=MODULE`, repeatable): Envoy's time from
//!   launch to the first answer through each module (with `--callgrind`,
//!   also the instructions from launch to that answer), `--startup-runs` times
//!   (default 3), one Envoy at a time.
//!
//! All write one Markdown report (`--out`).
//!
//! ```text
//! gatewit-bench [--variant NAME=MODULE.wasm]... [--rounds N] [--duration SECS]
//!               [--connections N] [--callgrind] [--no-wrk] [--requests N]
//!               [--warmup N] [--jobs N] [--out BENCHMARKS.md]
//!               [--call-variant NAME=MODULE.wasm]...
//!               [--startup NAME=MODULE.wasm]... [--startup-runs N]
//!               [--command "how to reproduce"]
//! ```
//! The variant `no filter` (no Wasm filter at all) is always first in the
//! tables; `--variant` adds one per module, in the given order. Some names
//! carry meaning in the report: `empty module`, `proxy-wasm crate`,
//! `gatewit`, their `…, no-op phases` diagnostics, and names starting with
//! `raw ABI floor`. `scripts/bench.sh` builds the modules and runs this.

mod bodies;
mod callgrind;
mod calls;
mod go;
mod startup;
mod wrk;

use anyhow::{Context as _, Result, bail, ensure};
use gatewit_test_kit::exchange::{ClientResponse, HttpRequest};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Hard bounds so a typo cannot start an hour-long run.
const MAX_ROUNDS: u32 = 50;
const MAX_DURATION: u32 = 60;
const MAX_CONNECTIONS: u32 = 256;
const MAX_REQUESTS: u32 = 100_000;
/// The machine has two cores; more Envoys under callgrind only queue.
const MAX_JOBS: usize = 2;
const MAX_STARTUP_RUNS: u32 = 10;

/// Variant names the report knows.
const EMPTY: &str = "empty module";
const CRATE: &str = "proxy-wasm crate";
const GATEWIT: &str = "gatewit";
const NOOP_SUFFIX: &str = ", no-op phases";
/// Prefix of the raw-ABI floor variants.
const FLOOR: &str = "raw ABI floor";
/// The header floor that frees the request's heap in `proxy_on_log`: the
/// floor of a contract with per-request state.
const STREAM_END_FLOOR: &str = "raw ABI floor, pairs read, freed at stream end";
/// `my-plugin-composed` as composed (two components, `wac plug`) and the
/// same code in one component: their difference is the cross-component
/// calls' cost.
const COMPOSED: &str = "gatewit composed, two components";
const COMPOSED_ONE: &str = "gatewit composed, one component";
/// The composition adapted with `--check-bounds`.
const COMPOSED_CHECKED: &str = "gatewit composed, checked bounds";

struct Args {
    variants: Vec<(String, PathBuf)>,
    call_variants: Vec<(String, PathBuf)>,
    body_variants: Vec<(String, PathBuf)>,
    body_rounds: u32,
    acl_variants: Vec<(String, PathBuf)>,
    rounds: u32,
    duration: u32,
    connections: u32,
    wrk: bool,
    callgrind: bool,
    requests: u32,
    warmup: u32,
    jobs: usize,
    out: Option<PathBuf>,
    command: Option<String>,
    startup: Vec<(String, PathBuf)>,
    startup_runs: u32,
}

const USAGE: &str = "gatewit-bench [--variant NAME=MODULE.wasm]... [--rounds N] [--duration SECS] \
[--connections N] [--callgrind] [--no-wrk] [--requests N] [--warmup N] [--jobs N] \
[--call-variant NAME=MODULE.wasm]... [--body-variant NAME=MODULE.wasm]... [--body-rounds N] [--acl-variant NAME=MODULE.wasm]... \
[--startup NAME=MODULE.wasm]... [--startup-runs N] [--out FILE] [--command TEXT]";

fn name_and_path(v: &str, flag: &str) -> Result<(String, PathBuf)> {
    let (name, path) = v
        .split_once('=')
        .with_context(|| format!("`{flag} {v}`: expected NAME=PATH"))?;
    Ok((name.to_owned(), PathBuf::from(path)))
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        variants: Vec::new(),
        call_variants: Vec::new(),
        body_variants: Vec::new(),
        body_rounds: 3,
        acl_variants: Vec::new(),
        rounds: 5,
        duration: 6,
        connections: 8,
        wrk: true,
        callgrind: false,
        requests: 2000,
        warmup: 3000,
        jobs: MAX_JOBS,
        out: None,
        command: None,
        startup: Vec::new(),
        startup_runs: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--variant" => args.variants.push(name_and_path(&value()?, "--variant")?),
            "--call-variant" => args
                .call_variants
                .push(name_and_path(&value()?, "--call-variant")?),
            "--body-variant" => args
                .body_variants
                .push(name_and_path(&value()?, "--body-variant")?),
            "--acl-variant" => {
                let (name, path) = name_and_path(&value()?, "--acl-variant")?;
                let prepared = go::prepare(&name, &path)?;
                args.acl_variants.push((name, prepared));
            }
            "--body-rounds" => args.body_rounds = value()?.parse().context("`--body-rounds`")?,
            "--startup" => args.startup.push(name_and_path(&value()?, "--startup")?),
            "--startup-runs" => args.startup_runs = value()?.parse().context("`--startup-runs`")?,
            "--rounds" => args.rounds = value()?.parse().context("`--rounds`")?,
            "--duration" => args.duration = value()?.parse().context("`--duration`")?,
            "--connections" => args.connections = value()?.parse().context("`--connections`")?,
            "--callgrind" => args.callgrind = true,
            "--no-wrk" => args.wrk = false,
            "--requests" => args.requests = value()?.parse().context("`--requests`")?,
            "--warmup" => args.warmup = value()?.parse().context("`--warmup`")?,
            "--jobs" => args.jobs = value()?.parse().context("`--jobs`")?,
            "--out" => args.out = Some(PathBuf::from(value()?)),
            "--command" => args.command = Some(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}` (try `--help`)"),
        }
    }
    ensure!(
        args.wrk
            || args.callgrind
            || !args.startup.is_empty()
            || !args.body_variants.is_empty()
            || !args.acl_variants.is_empty(),
        "`--no-wrk` without `--callgrind`, `--startup`, `--body-variant` or `--acl-variant` measures nothing"
    );
    ensure!(
        (1..=MAX_ROUNDS).contains(&args.body_rounds),
        "`--body-rounds` must be 1..={MAX_ROUNDS}"
    );
    ensure!(
        args.call_variants.is_empty() || args.callgrind,
        "`--call-variant` is measured by the callgrind pass: add `--callgrind`"
    );
    ensure!(
        (1..=MAX_STARTUP_RUNS).contains(&args.startup_runs),
        "`--startup-runs` must be 1..={MAX_STARTUP_RUNS}"
    );
    ensure!(
        (1..=MAX_ROUNDS).contains(&args.rounds),
        "`--rounds` must be 1..={MAX_ROUNDS}"
    );
    ensure!(
        (1..=MAX_DURATION).contains(&args.duration),
        "`--duration` must be 1..={MAX_DURATION} seconds"
    );
    ensure!(
        (1..=MAX_CONNECTIONS).contains(&args.connections),
        "`--connections` must be 1..={MAX_CONNECTIONS}"
    );
    ensure!(
        (1..=MAX_REQUESTS).contains(&args.requests),
        "`--requests` must be 1..={MAX_REQUESTS}"
    );
    ensure!(
        args.warmup <= MAX_REQUESTS,
        "`--warmup` must be 0..={MAX_REQUESTS}"
    );
    ensure!(
        (1..=MAX_JOBS).contains(&args.jobs),
        "`--jobs` must be 1..={MAX_JOBS}"
    );
    Ok(args)
}

/// One variant: no module (`no filter`) or a proxy-wasm module.
#[derive(Clone)]
pub struct Spec {
    pub name: String,
    pub module: Option<PathBuf>,
    pub size: Option<u64>,
}

impl Spec {
    fn module_cell(&self) -> String {
        self.module
            .as_ref()
            .map_or("—".to_owned(), |p| format!("`{}`", short_path(p)))
    }

    fn size_cell(&self) -> String {
        self.size.map_or("—".to_owned(), |s| format!("{s} B"))
    }
}

/// The request both passes send: what a plugin decides on.
/// The first line `tool --version` prints; the error names
/// `scripts/install-deps.sh`, which installs every tool the bench uses.
fn tool_version(tool: &str) -> Result<String> {
    let out = Command::new(tool)
        .arg("--version")
        .output()
        .with_context(|| format!("`{tool}` is not installed: run `scripts/install-deps.sh`"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or(tool).trim().to_owned())
}

fn probe_request(addr: SocketAddr) -> HttpRequest {
    HttpRequest::get(&addr.to_string(), "/")
        .header("user-agent", "gatewit-bench")
        .header("x-bench", "1")
}

/// Whether the bench plugins' response header is there (the plugin ran).
fn has_plugin_header(response: &ClientResponse) -> bool {
    response
        .headers
        .iter()
        .any(|(k, _)| k == "x-gatewit-bench-response")
}

/// `(plugin, index, index of its no-op diagnostic)` for the plugins whose
/// no-op variant ran too.
fn breakdown_rows(specs: &[Spec]) -> Vec<(&'static str, usize, usize)> {
    let find = |name: &str| specs.iter().position(|v| v.name == name);
    [CRATE, GATEWIT]
        .into_iter()
        .filter_map(|full| Some((full, find(full)?, find(&format!("{full}{NOOP_SUFFIX}"))?)))
        .collect()
}

fn main() {
    if let Err(err) = run() {
        eprintln!("gatewit-bench: error: {err:#}");
        std::process::exit(1);
    }
}

/// `no filter`, then one [`Spec`] per `(name, module)`.
fn specs_of(variants: &[(String, PathBuf)]) -> Result<Vec<Spec>> {
    let mut specs = vec![Spec {
        name: "no filter".into(),
        module: None,
        size: None,
    }];
    for (name, path) in variants {
        let size = std::fs::metadata(path)
            .with_context(|| format!("module `{}` of `{name}`", path.display()))?
            .len();
        specs.push(Spec {
            name: name.clone(),
            module: Some(path.clone()),
            size: Some(size),
        });
    }
    Ok(specs)
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let specs = specs_of(&args.variants)?;
    let call_specs = specs_of(&args.call_variants)?;
    let startup_specs = specs_of(&args.startup)?;
    let body_specs = specs_of(&args.body_variants)?;
    let acl_specs = specs_of(&args.acl_variants)?;

    let wrk = if args.wrk {
        Some(wrk::run(
            &specs,
            wrk::Options {
                rounds: args.rounds,
                duration: args.duration,
                connections: args.connections,
            },
        )?)
    } else {
        None
    };
    // After the wrk pass, whose Envoys are stopped by now.
    let callgrind = if args.callgrind && !args.variants.is_empty() {
        Some(callgrind::run(
            &specs,
            callgrind::Options {
                warmup: args.warmup,
                requests: args.requests,
                jobs: args.jobs,
                out_dir: gatewit_test_programs::target_dir()
                    .join("gatewit-bench")
                    .join("callgrind"),
                cluster: None,
                configuration: String::new(),
                headers: Vec::new(),
                from_launch: false,
            },
        )?)
    } else {
        None
    };

    let calls = if args.call_variants.is_empty() {
        None
    } else {
        Some(calls::run(
            &call_specs,
            args.warmup,
            args.requests,
            args.jobs,
            gatewit_test_programs::target_dir()
                .join("gatewit-bench")
                .join("callgrind-calls"),
        )?)
    };

    let bodies = if args.body_variants.is_empty() {
        None
    } else {
        Some(bodies::run(
            &body_specs,
            args.body_rounds,
            args.callgrind,
            args.jobs,
        )?)
    };

    let acl = if args.acl_variants.is_empty() {
        None
    } else {
        Some(go::run(
            &acl_specs,
            args.startup_runs,
            args.callgrind
                .then_some((args.warmup, args.requests, args.jobs)),
        )?)
    };

    let startup = if args.startup.is_empty() {
        None
    } else {
        Some(startup::run(&startup_specs, args.startup_runs, "")?)
    };
    // Start-up in instructions, from launch to the first answer: the wall
    // clock's ±0.05 s swings hide the differences between modules of one
    // size class.
    let counted_startup: Vec<Spec> = startup_specs
        .iter()
        .filter(|spec| {
            spec.size
                .is_none_or(|size| size <= startup::MAX_COUNTED_SIZE)
        })
        .cloned()
        .collect();
    let startup_counts = if args.startup.is_empty() || !args.callgrind {
        None
    } else {
        Some(callgrind::run(
            &counted_startup,
            callgrind::Options {
                warmup: 0,
                requests: 1,
                // One at a time, whatever `--jobs` says: with two Envoys
                // under callgrind at once, the same module's start counted
                // 1,155 M, 1,225 M and 1,243 M instructions (V8 compiles on
                // background threads, and how their work splits depends on
                // the interleaving); one at a time, 1,155.3 M and 1,155.2 M.
                jobs: 1,
                out_dir: gatewit_test_programs::target_dir()
                    .join("gatewit-bench")
                    .join("callgrind-startup"),
                cluster: None,
                configuration: String::new(),
                headers: Vec::new(),
                from_launch: true,
            },
        )?)
    };

    let mut report = report(&args, &specs, wrk.as_ref(), callgrind.as_ref())?;
    if let Some(calls) = &calls {
        calls::report(&mut report, &call_specs, calls)?;
    }
    if let Some(bodies) = &bodies {
        bodies::report(&mut report, &body_specs, bodies)?;
    }
    if let Some(acl) = &acl {
        go::report(&mut report, &acl_specs, acl)?;
    }
    if let Some(startup) = &startup {
        startup::report(
            &mut report,
            &startup_specs,
            startup,
            startup_counts.as_ref().map(|c| (&counted_startup[..], c)),
        )?;
    }
    print!("{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, &report).with_context(|| format!("writing `{}`", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

fn report(
    args: &Args,
    specs: &[Spec],
    wrk: Option<&wrk::Results>,
    callgrind: Option<&callgrind::Results>,
) -> Result<String> {
    let envoy_version = Command::new(gatewit_envoy_harness::envoy_binary()?)
        .arg("--version")
        .output()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            // `<path>  version: <sha>/1.40.0/Clean/RELEASE/BoringSSL`: keep the version.
            text.split_once("version: ")
                .map_or(text.trim(), |(_, v)| v.trim())
                .to_owned()
        })
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);

    let mut md = String::new();
    writeln!(md, "# Benchmarks\n")?;
    let how = match (wrk.is_some(), callgrind.is_some()) {
        (true, true) => {
            "measured two ways: requests per second with `wrk` (wall clock, noisy on a shared \
             machine) and instructions per request with callgrind (deterministic)"
        }
        (true, false) => "measured with `wrk`",
        (false, true) => "measured as instructions per request with callgrind",
        (false, false) => "not measured in this run (start-up only)",
    };
    writeln!(
        md,
        "Per-request cost of a proxy-wasm plugin in a stock Envoy, {how}, against a \
         `direct_response` route (no upstream), so the filter chain is all the work there is.\n"
    )?;
    if let Some(command) = &args.command {
        writeln!(
            md,
            "Reproduce (one run measures every variant):\n\n```sh\n{command}\n```\n"
        )?;
    }
    writeln!(
        md,
        "The same plugins in-process (per request under wasmtime, with criterion, and guest wasm \
         instructions per request) are in [bench/README.md](bench/README.md#in-process-criterion).\n"
    )?;
    if let Some(wrk) = wrk {
        wrk::report(&mut md, specs, wrk)?;
    }
    if let Some(callgrind) = callgrind {
        callgrind::report(&mut md, specs, callgrind)?;
    }

    writeln!(md, "## Setup\n")?;
    writeln!(
        md,
        "- Envoy: `{envoy_version}`, `--concurrency 1`, V8, one `direct_response` route answering `200 ok`"
    )?;
    if let Some(wrk) = wrk {
        wrk::setup(&mut md, wrk)?;
    }
    writeln!(
        md,
        "- machine: {cpu}, {cores} cores visible (shared with other work; Envoy and the load generator share them)"
    )?;
    writeln!(
        md,
        "- plugin logic (crate, gatewit and the `{FLOOR}` modules): add `x-gatewit-bench: 1` and read `user-agent` and \
         `x-bench` on request headers; add `x-gatewit-bench-response` on response headers"
    )?;
    if let Some(wrk) = wrk {
        wrk::every_round(&mut md, specs, wrk)?;
    }
    Ok(md)
}

/// A path relative to the workspace, for the report.
fn short_path(path: &Path) -> String {
    let root = gatewit_test_programs::workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}
