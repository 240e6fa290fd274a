//! The Envoy benchmark driver: one Envoy (`--concurrency 1`, a
//! `direct_response` route) per variant, `wrk` rounds alternating between
//! them, medians and ratios to the no-filter variant, written as Markdown.
//!
//! ```text
//! gatewit-bench [--variant NAME=MODULE.wasm]... [--rounds N] [--duration SECS]
//!               [--connections N] [--out BENCHMARKS.md] [--command "how to reproduce"]
//! ```
//! The variant `no filter` (no Wasm filter at all) is always measured first
//! in the table; `--variant` adds one Envoy per module, in the given order.
//! `scripts/bench.sh` builds the modules and runs this.

use anyhow::{Context as _, Result, bail, ensure};
use gatewit_envoy_harness::{Envoy, EnvoyConfig, WasmFilter, client};
use gatewit_host_shim::exchange::HttpRequest;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Hard bounds so a typo cannot start an hour-long run.
const MAX_ROUNDS: u32 = 50;
const MAX_DURATION: u32 = 60;
const MAX_CONNECTIONS: u32 = 256;

struct Args {
    variants: Vec<(String, PathBuf)>,
    rounds: u32,
    duration: u32,
    connections: u32,
    out: Option<PathBuf>,
    command: Option<String>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        variants: Vec::new(),
        rounds: 5,
        duration: 6,
        connections: 8,
        out: None,
        command: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--variant" => {
                let v = value()?;
                let (name, path) = v
                    .split_once('=')
                    .with_context(|| format!("`--variant {v}`: expected NAME=PATH"))?;
                args.variants.push((name.to_owned(), PathBuf::from(path)));
            }
            "--rounds" => args.rounds = value()?.parse().context("`--rounds`")?,
            "--duration" => args.duration = value()?.parse().context("`--duration`")?,
            "--connections" => args.connections = value()?.parse().context("`--connections`")?,
            "--out" => args.out = Some(PathBuf::from(value()?)),
            "--command" => args.command = Some(value()?),
            "-h" | "--help" => {
                println!(
                    "gatewit-bench [--variant NAME=MODULE.wasm]... [--rounds N] [--duration SECS] [--connections N] [--out FILE] [--command TEXT]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}` (try `--help`)"),
        }
    }
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
    Ok(args)
}

/// One `wrk` run's numbers.
#[derive(Debug, Clone, Copy)]
struct Sample {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    /// Non-2xx responses plus socket errors; any makes the sample suspect.
    errors: u64,
}

struct Variant {
    name: String,
    module: Option<PathBuf>,
    size: Option<u64>,
    envoy: Envoy,
    /// Whether the response carried the bench plugins' response header
    /// (a check that the plugin really ran).
    plugin_header: bool,
    samples: Vec<Sample>,
}

fn main() {
    if let Err(err) = run() {
        eprintln!("gatewit-bench: error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let wrk_version = Command::new("wrk")
        .arg("--version")
        .output()
        .context("`wrk` is not installed: run `scripts/install-deps.sh`")?;
    let wrk_version = String::from_utf8_lossy(&wrk_version.stdout)
        .lines()
        .next()
        .unwrap_or("wrk")
        .trim()
        .to_owned();

    let mut variants = Vec::new();
    let plain =
        Envoy::start(&EnvoyConfig::direct_response()).context("starting envoy without a filter")?;
    variants.push(Variant {
        name: "no filter".into(),
        module: None,
        size: None,
        envoy: plain,
        plugin_header: false,
        samples: vec![],
    });
    for (name, path) in &args.variants {
        let size = std::fs::metadata(path)
            .with_context(|| format!("module `{}` of `{name}`", path.display()))?
            .len();
        let config = EnvoyConfig::direct_response().with_wasm(WasmFilter::new(path, ""));
        let envoy =
            Envoy::start(&config).with_context(|| format!("starting envoy with `{name}`"))?;
        variants.push(Variant {
            name: name.clone(),
            module: Some(path.clone()),
            size: Some(size),
            envoy,
            plugin_header: false,
            samples: vec![],
        });
    }

    // Sanity: every Envoy answers 200, and we note which ran plugin logic.
    for v in &mut variants {
        let request = HttpRequest::get("bench", "/")
            .header("user-agent", "gatewit-bench")
            .header("x-bench", "1");
        let response = client::send(v.envoy.listener_addr(), &request, Duration::from_secs(10))
            .with_context(|| format!("probing `{}`", v.name))?;
        ensure!(
            response.status == 200,
            "`{}` answered {} to the probe",
            v.name,
            response.status
        );
        v.plugin_header = response
            .headers
            .iter()
            .any(|(k, _)| k == "x-gatewit-bench-response");
        // Warm-up: V8 tiers up hot functions; the first second is not steady state.
        wrk(v.envoy.listener_addr(), 1, args.connections)
            .with_context(|| format!("warming up `{}`", v.name))?;
    }

    let n = variants.len();
    for round in 0..args.rounds {
        // Rotate the order each round so slow drift (other load on the
        // machine, thermal) spreads over all variants alike.
        for k in 0..n {
            let i = (k + round as usize) % n;
            let v = &mut variants[i];
            let sample = wrk(v.envoy.listener_addr(), args.duration, args.connections)
                .with_context(|| format!("round {} of `{}`", round + 1, v.name))?;
            eprintln!(
                "round {}/{} {:<16} {:>9.0} req/s  p50 {:>7.0} us  p99 {:>7.0} us{}",
                round + 1,
                args.rounds,
                v.name,
                sample.rps,
                sample.p50_us,
                sample.p99_us,
                if sample.errors > 0 {
                    format!("  ({} errors)", sample.errors)
                } else {
                    String::new()
                }
            );
            v.samples.push(sample);
        }
    }

    let report = report(&args, &variants, &wrk_version)?;
    print!("{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, &report).with_context(|| format!("writing `{}`", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// Runs `wrk` for `secs` against `addr` and parses its summary.
fn wrk(addr: std::net::SocketAddr, secs: u32, connections: u32) -> Result<Sample> {
    let out = Command::new("wrk")
        .args([
            "-t1",
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{secs}s"),
            "--latency",
        ])
        .args(["-H", "user-agent: gatewit-bench", "-H", "x-bench: 1"])
        .arg(format!("http://{addr}/"))
        .output()
        .context("running `wrk`")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "`wrk` failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    parse_wrk(&text)
}

fn parse_wrk(text: &str) -> Result<Sample> {
    let mut rps = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut errors = 0;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            rps = rest.trim().parse::<f64>().ok();
        } else if let Some(rest) = line.strip_prefix("50%") {
            p50 = parse_latency(rest.trim());
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99 = parse_latency(rest.trim());
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += rest.trim().parse::<u64>().unwrap_or(1);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            errors += rest
                .split(',')
                .filter_map(|part| part.split_whitespace().last())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Ok(Sample {
        rps: rps.with_context(|| format!("no `Requests/sec` in wrk output:\n{text}"))?,
        p50_us: p50.with_context(|| format!("no 50% latency in wrk output:\n{text}"))?,
        p99_us: p99.with_context(|| format!("no 99% latency in wrk output:\n{text}"))?,
        errors,
    })
}

/// `wrk` latencies: `812.00us`, `1.23ms`, `2.00s`.
fn parse_latency(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60e6)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e6)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Median over rounds of `f(sample of variant a, sample of variant b)`:
/// pairing samples of the same round cancels drift between rounds (other
/// load on the machine), which medians of each variant alone do not.
fn paired(variants: &[Variant], a: usize, b: usize, f: impl Fn(&Sample, &Sample) -> f64) -> f64 {
    median(
        variants[a]
            .samples
            .iter()
            .zip(&variants[b].samples)
            .map(|(x, y)| f(x, y))
            .collect(),
    )
}

/// Microseconds of Envoy's single worker per request.
fn cost(s: &Sample) -> f64 {
    1e6 / s.rps
}

fn report(args: &Args, variants: &[Variant], wrk_version: &str) -> Result<String> {
    let rps: Vec<f64> = variants
        .iter()
        .map(|v| median(v.samples.iter().map(|s| s.rps).collect()))
        .collect();
    let p99: Vec<f64> = variants
        .iter()
        .map(|v| median(v.samples.iter().map(|s| s.p99_us).collect()))
        .collect();
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
    writeln!(
        md,
        "Per-request cost of a proxy-wasm plugin in a stock Envoy, measured with `wrk` against a \
         `direct_response` route (no upstream), so the filter chain is all the work there is.\n"
    )?;
    if let Some(command) = &args.command {
        writeln!(
            md,
            "Reproduce (one run measures every variant):\n\n```sh\n{command}\n```\n"
        )?;
    }
    writeln!(md, "## Envoy, requests per second\n")?;
    writeln!(
        md,
        "Ratios and costs pair each variant with the no-filter Envoy of the same round and take \
         the median over rounds; req/s and p99 are plain medians.\n"
    )?;
    writeln!(
        md,
        "| variant | module | module size | req/s | ratio to no filter | µs/request above no filter | p99 latency | bench header added |"
    )?;
    writeln!(md, "|---|---|---:|---:|---:|---:|---:|---|")?;
    for (i, v) in variants.iter().enumerate() {
        let module = v
            .module
            .as_ref()
            .map_or("—".to_owned(), |p| format!("`{}`", short_path(p)));
        let size = v.size.map_or("—".to_owned(), |s| format!("{s} B"));
        let ratio = paired(variants, i, 0, |x, y| x.rps / y.rps);
        let overhead = paired(variants, i, 0, |x, y| cost(x) - cost(y));
        writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.0} µs | {} |",
            v.name,
            module,
            size,
            rps[i],
            ratio,
            overhead,
            p99[i],
            if v.plugin_header { "yes" } else { "no" }
        )?;
    }
    writeln!(md)?;

    // The issue's target: the gatewit plugin's cost above the empty module is
    // at most a quarter of the crate plugin's, and its module no larger.
    let find = |name: &str| variants.iter().position(|v| v.name == name);
    if let (Some(e), Some(c)) = (find("empty module"), find("proxy-wasm crate")) {
        let crate_extra = paired(variants, c, e, |x, y| cost(x) - cost(y));
        let empty_cost = paired(variants, e, 0, |x, y| cost(x) - cost(y));
        let base_cost = median(variants[0].samples.iter().map(cost).collect());
        let target_ratio = base_cost / (base_cost + empty_cost + crate_extra / 4.0);
        writeln!(md, "## Target\n")?;
        writeln!(
            md,
            "The adapted gatewit plugin may cost at most a quarter of what the `proxy-wasm` crate plugin costs \
             above the empty module, and its module may be no larger than the crate plugin's.\n"
        )?;
        writeln!(
            md,
            "- crate plugin above the empty module: {crate_extra:.2} µs/request"
        )?;
        writeln!(
            md,
            "- target for the gatewit plugin: ≤ {:.2} µs/request above the empty module, i.e. a ratio of ≥ {target_ratio:.2} in this run",
            crate_extra / 4.0
        )?;
        match find("gatewit") {
            Some(g) => {
                let extra = paired(variants, g, e, |x, y| cost(x) - cost(y));
                let relative = paired(variants, g, c, |x, y| cost(x) / cost(y));
                let ok = extra <= crate_extra / 4.0;
                let size_ok = variants[g].size <= variants[c].size;
                writeln!(
                    md,
                    "- gatewit plugin above the empty module: {extra:.2} µs/request ({:.0}% of the crate plugin's; ratio to no filter {:.2}): **{}**",
                    100.0 * extra / crate_extra,
                    paired(variants, g, 0, |x, y| x.rps / y.rps),
                    if ok { "met" } else { "not met" }
                )?;
                writeln!(
                    md,
                    "- whole request through Envoy, gatewit vs crate plugin (same round): {relative:.2}× the time"
                )?;
                writeln!(
                    md,
                    "- module size: gatewit {} B vs crate {} B: **{}**",
                    variants[g].size.unwrap_or(0),
                    variants[c].size.unwrap_or(0),
                    if size_ok { "met" } else { "not met" }
                )?;
            }
            None => writeln!(
                md,
                "- gatewit plugin: not measured in this run (no `gatewit` variant)"
            )?,
        }
        writeln!(md)?;
    }

    // Where the cost goes, when the no-op diagnostics ran: "Envoy calls
    // the plugin" (no-op phases above the empty module) and "the plugin's
    // work" (the header logic above its no-op phases).
    let rows: Vec<(&str, usize, usize)> = [
        ("proxy-wasm crate", "proxy-wasm crate, no-op phases"),
        ("gatewit", "gatewit, no-op phases"),
    ]
    .into_iter()
    .filter_map(|(full, noop)| Some((full, find(full)?, find(noop)?)))
    .collect();
    if let (Some(e), false) = (find("empty module"), rows.is_empty()) {
        writeln!(md, "## Where the cost goes\n")?;
        writeln!(
            md,
            "Paired medians, µs of Envoy's worker per request. *Phases* = the no-op plugin above the \
             empty module (Envoy calling the exported callbacks, with SDK/adapter glue); *work* = the \
             header logic above its own no-op phases (mostly the four header hostcalls).\n"
        )?;
        writeln!(md, "| plugin | phases | work | total above empty module |")?;
        writeln!(md, "|---|---:|---:|---:|")?;
        for (name, full, noop) in rows {
            writeln!(
                md,
                "| {name} | {:.2} | {:.2} | {:.2} |",
                paired(variants, noop, e, |x, y| cost(x) - cost(y)),
                paired(variants, full, noop, |x, y| cost(x) - cost(y)),
                paired(variants, full, e, |x, y| cost(x) - cost(y)),
            )?;
        }
        writeln!(md)?;
    }

    writeln!(md, "## Setup\n")?;
    writeln!(
        md,
        "- Envoy: `{envoy_version}`, `--concurrency 1`, V8, one `direct_response` route answering `200 ok`"
    )?;
    writeln!(
        md,
        "- load: `{wrk_version}`, `wrk -t1 -c{} -d{}s --latency` with headers `user-agent` and `x-bench`, loopback",
        args.connections, args.duration
    )?;
    writeln!(
        md,
        "- {} rounds; each round runs every variant once, in an order rotated per round; the table shows medians; \
         a 1 s warm-up per variant precedes the rounds",
        args.rounds
    )?;
    writeln!(
        md,
        "- machine: {cpu}, {cores} cores visible (shared with other work; Envoy and wrk share them)"
    )?;
    writeln!(
        md,
        "- plugin logic (crate and gatewit): add `x-gatewit-bench: 1` and read `user-agent` and `x-bench` on request headers; add `x-gatewit-bench-response` on response headers"
    )?;
    let base: Vec<f64> = variants[0].samples.iter().map(|s| s.rps).collect();
    let (lo, hi) = base.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    });
    writeln!(
        md,
        "- noise: the no-filter Envoy ranged from {lo:.0} to {hi:.0} req/s across rounds; differences \
         smaller than that spread between single rounds mean little, the paired medians above are the signal"
    )?;
    writeln!(md, "\n## Every round\n")?;
    write!(md, "| variant |")?;
    for r in 0..args.rounds {
        write!(md, " round {} req/s (p99 µs) |", r + 1)?;
    }
    writeln!(md)?;
    writeln!(md, "|---|{}", "---:|".repeat(args.rounds as usize))?;
    for v in variants {
        write!(md, "| {} |", v.name)?;
        for s in &v.samples {
            let flag = if s.errors > 0 {
                format!(", {} errors", s.errors)
            } else {
                String::new()
            };
            write!(md, " {:.0} ({:.0}{flag}) |", s.rps, s.p99_us)?;
        }
        writeln!(md)?;
    }
    Ok(md)
}

/// A module path relative to the workspace, for the table.
fn short_path(path: &std::path::Path) -> String {
    let root = gatewit_envoy_harness::build::workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrk_output() -> Result<()> {
        let text = "Running 2s test @ http://127.0.0.1:1/\n  1 threads and 8 connections\n  Latency Distribution\n     50%  412.00us\n     75%  1.02ms\n     90%    1.50ms\n     99%    3.21ms\n  20000 requests in 2.00s, 2.00MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\nRequests/sec:  10000.50\nTransfer/sec:      1.00MB\n";
        let s = parse_wrk(text)?;
        assert!((s.rps - 10000.5).abs() < 1e-9);
        assert!((s.p50_us - 412.0).abs() < 1e-9);
        assert!((s.p99_us - 3210.0).abs() < 1e-6);
        assert_eq!(s.errors, 3);
        Ok(())
    }

    #[test]
    fn medians() {
        assert!((median(vec![3.0, 1.0, 2.0]) - 2.0).abs() < 1e-12);
        assert!((median(vec![4.0, 1.0, 2.0, 3.0]) - 2.5).abs() < 1e-12);
    }
}
