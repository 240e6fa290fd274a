//! `gatewit-soak`: the scenario table's examples under sustained load in a
//! real Envoy 1.40, each in its own Envoy (`--concurrency 1`) with its real
//! backends, to show that a plugin leaks nothing over a long run: every
//! answer is the one the scenario expects, and Envoy's resident memory
//! stays flat.
//!
//! For every scenario stock Envoy runs (not the Higress-only ones), its
//! first request is sent `--requests` times with `wrk` in rounds of
//! `--round` seconds; between rounds Envoy's RSS (`/proc/<pid>/status`) is
//! sampled and the recording servers are emptied (they keep what they
//! receive). The report is a Markdown table (`--out`, else stdout).
//!
//! ```text
//! cargo run -p gatewit-tests --bin gatewit-soak -- --requests 1000000 --out SOAK.md
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use gatewit_adapter::Profile;
use gatewit_envoy_harness::EnvoyGateway;
use gatewit_host_shim::exchange::{Gateway, HttpRequest};
use gatewit_tests::adapted::{Toolchain, adapted_module};
use gatewit_tests::scenarios::{self, Scenario};

const USAGE: &str =
    "gatewit-soak [--requests N] [--connections N] [--round SECS] [--only NAME]... [--out FILE]";
/// A bounded run: at most this many requests per scenario.
const MAX_REQUESTS: u64 = 20_000_000;
/// Set by Ctrl-C / SIGTERM: the current round ends the run, which is still
/// reported, and every Envoy is stopped on the way out.
static STOP: AtomicBool = AtomicBool::new(false);
/// Scenarios load says nothing about, and why.
const SKIP: &[(&str, &str)] = &[(
    "http-call-token-service-slow",
    "every request waits out the plugin's 500 ms call timeout by design",
)];

struct Args {
    requests: u64,
    connections: u32,
    round_secs: u32,
    only: Vec<String>,
    out: Option<PathBuf>,
}

fn args() -> Result<Args> {
    let mut args = Args {
        requests: 1_000_000,
        connections: 8,
        round_secs: 10,
        only: Vec::new(),
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--requests" => args.requests = value()?.parse().context("`--requests`")?,
            "--connections" => args.connections = value()?.parse().context("`--connections`")?,
            "--round" => args.round_secs = value()?.parse().context("`--round`")?,
            "--only" => args.only.push(value()?),
            "--out" => args.out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}`\nusage: {USAGE}"),
        }
    }
    ensure!(
        (1..=MAX_REQUESTS).contains(&args.requests),
        "`--requests` must be 1..={MAX_REQUESTS}"
    );
    ensure!(
        (1..=256).contains(&args.connections),
        "`--connections` must be 1..=256"
    );
    ensure!(
        (1..=120).contains(&args.round_secs),
        "`--round` must be 1..=120 seconds"
    );
    Ok(args)
}

/// One scenario's soak.
struct Soaked {
    name: &'static str,
    requests: u64,
    unexpected: u64,
    secs: f64,
    rss_after_warmup_kb: u64,
    rss_end_kb: u64,
    rss_max_kb: u64,
    /// The first unexpected answers (status and start of body) and every
    /// round's socket errors, as wrk reported them.
    samples: Vec<String>,
    /// Requests sent and RSS after each round.
    trace: Vec<(u64, u64)>,
}

impl Soaked {
    /// RSS growth per 100k requests over the second half of the run: a
    /// leak keeps growing there, a heap or JIT settling in does not.
    fn late_growth(&self) -> f64 {
        let half = self.requests / 2;
        let Some(&(from_n, from_kb)) = self.trace.iter().find(|(n, _)| *n >= half) else {
            return 0.0;
        };
        let (to_n, to_kb) = *self.trace.last().unwrap_or(&(from_n, from_kb));
        if to_n <= from_n {
            return 0.0;
        }
        (to_kb as f64 - from_kb as f64) / ((to_n - from_n) as f64 / 100_000.0)
    }
}

fn main() -> Result<()> {
    let args = args()?;
    ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst))
        .context("cannot install the Ctrl-C handler")?;
    let wanted = |s: &Scenario| {
        s.profile == Profile::Envoy
            && s.redis_clusters.is_empty()
            && !SKIP.iter().any(|(name, _)| *name == s.name)
            && (args.only.is_empty() || args.only.iter().any(|o| o == s.name))
    };
    let table: Vec<Scenario> = scenarios::all().into_iter().filter(wanted).collect();
    ensure!(!table.is_empty(), "no scenario matches `--only`");
    let mut results = Vec::new();
    for scenario in table.iter().take_while(|_| !STOP.load(Ordering::SeqCst)) {
        eprintln!("soaking `{}` ...", scenario.name);
        let soaked =
            soak(scenario, &args).with_context(|| format!("soaking `{}`", scenario.name))?;
        eprintln!(
            "  {} requests in {:.0} s, {} unexpected, RSS {} → {} kB",
            soaked.requests,
            soaked.secs,
            soaked.unexpected,
            soaked.rss_after_warmup_kb,
            soaked.rss_end_kb
        );
        results.push(soaked);
    }
    let report = report(&args, &results);
    match &args.out {
        Some(path) => std::fs::write(path, &report)
            .with_context(|| format!("writing `{}`", path.display()))?,
        None => print!("{report}"),
    }
    let bad: Vec<&str> = results
        .iter()
        .filter(|r| r.unexpected > 0)
        .map(|r| r.name)
        .collect();
    ensure!(
        bad.is_empty(),
        "unexpected answers under load: {}",
        bad.join(", ")
    );
    Ok(())
}

fn soak(scenario: &Scenario, args: &Args) -> Result<Soaked> {
    let step = scenario
        .steps
        .first()
        .context("the scenario has no request")?;
    let module = adapted_module(scenario.plugin, Toolchain::Wasip2, Profile::Envoy)?;
    let prepared = scenario.prepare()?;
    let mut gw = EnvoyGateway::start(&module, &prepared.setup)?;
    gw.upstream().set_reply(step.upstream.clone());
    // The answer the load must get every time, checked once in full.
    let first = gw.send(&step.request, &step.upstream)?;
    ensure!(
        first.response.status == step.expect.status,
        "the first request got {} where the scenario expects {}",
        first.response.status,
        step.expect.status
    );
    let expect_2xx = (200..300).contains(&step.expect.status);
    let base = std::env::temp_dir().join(format!(
        "gatewit-soak-{}-{}",
        std::process::id(),
        scenario.name
    ));
    let (script_path, samples_path) = (base.with_extension("lua"), base.with_extension("txt"));
    let script = lua_script(&step.request, expect_2xx, &samples_path);
    std::fs::write(&script_path, script).context("writing the wrk script")?;
    let url = format!("http://{}{}", gw.envoy().listener_addr(), step.request.path);
    let pid = gw.envoy().pid();

    // One round to warm up (V8 tiers up, pools fill), not counted.
    wrk(&script_path, &url, args.connections, 2)?;
    gw.upstream().take_requests();
    let rss_after_warmup_kb = rss_kb(pid)?;
    let (mut requests, mut unexpected, mut rss_max_kb) = (0, 0, rss_after_warmup_kb);
    let (mut trace, mut samples) = (Vec::new(), Vec::new());
    let _ = std::fs::remove_file(&samples_path);
    let start = Instant::now();
    while requests < args.requests && !STOP.load(Ordering::SeqCst) {
        let round = wrk(&script_path, &url, args.connections, args.round_secs)?;
        requests += round.requests;
        if round.errors > 0 {
            samples.push(format!(
                "round ending at request {requests}: socket errors:{}",
                round.error_kinds
            ));
        }
        unexpected += round.errors
            + if expect_2xx {
                round.non_2xx
            } else {
                round.requests - round.non_2xx
            };
        gw.upstream().take_requests();
        let rss = rss_kb(pid)?;
        rss_max_kb = rss_max_kb.max(rss);
        trace.push((requests, rss));
    }
    let secs = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&script_path);
    // Why a request failed is in the plugin's error lines, if it said.
    let errors: Vec<String> = gw
        .plugin_logs()
        .into_iter()
        .filter(|l| l.starts_with("[error]") || l.starts_with("[critical]"))
        .collect();
    if !errors.is_empty() {
        samples.push(format!(
            "the plugin logged {} error line{}; the first: {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            errors
                .iter()
                .take(SAMPLES as usize)
                .cloned()
                .collect::<Vec<_>>()
                .join(" / ")
        ));
    }
    if let Ok(text) = std::fs::read_to_string(&samples_path) {
        // wrk restarts every round, so each round may add SAMPLES lines.
        samples.extend(text.lines().take(4 * SAMPLES as usize).map(str::to_owned));
        let _ = std::fs::remove_file(&samples_path);
    }
    Ok(Soaked {
        name: scenario.name,
        requests,
        unexpected,
        secs,
        rss_after_warmup_kb,
        rss_end_kb: rss_kb(pid)?,
        rss_max_kb,
        samples,
        trace,
    })
}

/// Unexpected answers kept per scenario: enough to tell a pattern, bounded.
const SAMPLES: u32 = 5;

/// A wrk script sending `request` (method, authority, headers, body) that
/// appends the first [`SAMPLES`] answers of the wrong status class (status
/// and the start of the body) to `samples`.
fn lua_script(request: &HttpRequest, expect_2xx: bool, samples: &std::path::Path) -> String {
    // Lua long brackets take any text but their own closing bracket.
    let long = |s: &str| format!("[==[{s}]==]");
    let mut out = format!("wrk.method = {}\n", long(&request.method));
    let body: Vec<u8> = request.body_chunks.concat();
    if !body.is_empty() {
        let _ = writeln!(out, "wrk.body = {}", long(&String::from_utf8_lossy(&body)));
    }
    let _ = writeln!(out, "wrk.headers[\"Host\"] = {}", long(&request.authority));
    for (k, v) in &request.headers {
        let _ = writeln!(out, "wrk.headers[{}] = {}", long(k), long(v));
    }
    // wrk counts 3xx as expected too; so does this.
    let wrong = if expect_2xx {
        "status > 399"
    } else {
        "status < 400"
    };
    let _ = write!(
        out,
        r#"local kept = 0
function response(status, headers, body)
  if kept < {SAMPLES} and {wrong} then
    kept = kept + 1
    local f = io.open({path}, "a")
    if f then
      f:write(os.date("!%H:%M:%S"), " status ", status, ": ", (string.sub(body or "", 1, 160):gsub("%s+", " ")), "\n")
      f:close()
    end
  end
end
"#,
        path = long(&samples.display().to_string()),
    );
    out
}

struct Round {
    requests: u64,
    non_2xx: u64,
    errors: u64,
    /// wrk's breakdown: ` connect 0, read 0, write 0, timeout 1`.
    error_kinds: String,
}

fn wrk(script: &std::path::Path, url: &str, connections: u32, secs: u32) -> Result<Round> {
    let out = gatewit_envoy_harness::wrk::command(connections, secs)
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()
        .context("running `wrk` (installed by `scripts/install-deps.sh`)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "`wrk` failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut round = Round {
        requests: 0,
        non_2xx: 0,
        errors: 0,
        error_kinds: String::new(),
    };
    for line in text.lines().map(str::trim) {
        if let Some((n, _)) = line.split_once(" requests in ") {
            round.requests = n.trim().parse().context("wrk's request count")?;
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            round.non_2xx = rest.trim().parse().context("wrk's non-2xx count")?;
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            round.errors = gatewit_envoy_harness::wrk::socket_errors(rest);
            round.error_kinds = rest.to_string();
        }
    }
    ensure!(round.requests > 0, "wrk sent no request:\n{text}");
    Ok(round)
}

/// Resident memory of process `pid`, in kB.
fn rss_kb(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading the status of envoy ({pid})"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

fn report(args: &Args, results: &[Soaked]) -> String {
    let mut out = String::from("# Soak\n\n");
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let _ = writeln!(
        out,
        "Reproduce: `cargo run -p gatewit-tests --bin gatewit-soak -- {}`\n",
        argv.join(" ")
    );
    let _ = writeln!(
        out,
        "Each scenario's first request ≥ {} times through its own Envoy 1.40 (`--concurrency 1`), \
         `wrk -t1 -c{}` in {} s rounds; RSS sampled between rounds.\n",
        args.requests, args.connections, args.round_secs
    );
    let _ = writeln!(
        out,
        "| scenario | requests | req/s | unexpected | Envoy RSS after warm-up | at the end | max | growth per 100k requests | in the second half |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, why) in SKIP {
        let _ = writeln!(out, "| `{name}` | skipped: {why} | | | | | | | |");
    }
    for r in results {
        let growth =
            (r.rss_end_kb as f64 - r.rss_after_warmup_kb as f64) / (r.requests as f64 / 100_000.0);
        let _ = writeln!(
            out,
            "| `{}` | {} | {:.0} | {} | {} kB | {} kB | {} kB | {:+.1} kB | {:+.1} kB |",
            r.name,
            r.requests,
            r.requests as f64 / r.secs,
            r.unexpected,
            r.rss_after_warmup_kb,
            r.rss_end_kb,
            r.rss_max_kb,
            growth,
            r.late_growth()
        );
    }
    for r in results.iter().filter(|r| !r.samples.is_empty()) {
        let _ = writeln!(
            out,
            "\nUnexpected answers of `{}` (the first of each round, and every round's socket errors):\n",
            r.name
        );
        for sample in &r.samples {
            let _ = writeln!(out, "- {sample}");
        }
    }
    out
}
