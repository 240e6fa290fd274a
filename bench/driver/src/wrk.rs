//! The wall-clock pass: every variant's Envoy running at once, `wrk` rounds
//! alternating between them, paired medians.

use crate::{Spec, probe_request};
use anyhow::{Context as _, Result, bail, ensure};
use gatewit_envoy_harness::{Envoy, EnvoyConfig, WasmFilter, client};
use std::fmt::Write as _;
use std::time::Duration;

/// What the wrk pass is told.
pub struct Options {
    pub rounds: u32,
    pub duration: u32,
    pub connections: u32,
}

/// One `wrk` run's numbers.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub rps: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    /// Non-2xx responses plus socket errors; any makes the sample suspect.
    pub errors: u64,
}

/// One variant's samples, in round order.
pub struct Measured {
    /// Whether the response carried the bench plugins' response header
    /// (a check that the plugin really ran).
    pub plugin_header: bool,
    pub samples: Vec<Sample>,
}

/// The wrk pass's results, one [`Measured`] per [`Spec`].
pub struct Results {
    pub wrk_version: String,
    pub options: Options,
    pub variants: Vec<Measured>,
}

/// Starts one Envoy per variant, warms each up, runs the rounds; every
/// Envoy is stopped before this returns.
pub fn run(specs: &[Spec], options: Options) -> Result<Results> {
    let wrk_version = crate::tool_version("wrk")?;
    let mut envoys = Vec::new();
    for spec in specs {
        let config = match &spec.module {
            None => EnvoyConfig::direct_response(),
            Some(path) => EnvoyConfig::direct_response().with_wasm(WasmFilter::new(path, "")),
        };
        let envoy =
            Envoy::start(&config).with_context(|| format!("starting envoy for `{}`", spec.name))?;
        envoys.push(envoy);
    }

    // Sanity: every Envoy answers 200, and we note which ran plugin logic.
    let mut variants = Vec::new();
    for (spec, envoy) in specs.iter().zip(&envoys) {
        let addr = envoy.listener_addr();
        let response = client::send(addr, &probe_request(addr), Duration::from_secs(10))
            .with_context(|| format!("probing `{}`", spec.name))?;
        ensure!(
            response.status == 200,
            "`{}` answered {} to the probe",
            spec.name,
            response.status
        );
        variants.push(Measured {
            plugin_header: crate::has_plugin_header(&response),
            samples: vec![],
        });
        // Warm-up: V8 tiers up hot functions; the first second is not steady state.
        wrk(addr, 1, options.connections).with_context(|| format!("warming up `{}`", spec.name))?;
    }

    let n = specs.len();
    for round in 0..options.rounds {
        // Rotate the order each round so slow drift (other load on the
        // machine, thermal) spreads over all variants alike.
        for k in 0..n {
            let i = (k + round as usize) % n;
            let sample = wrk(
                envoys[i].listener_addr(),
                options.duration,
                options.connections,
            )
            .with_context(|| format!("round {} of `{}`", round + 1, specs[i].name))?;
            eprintln!(
                "round {}/{} {:<32} {:>9.0} req/s  p50 {:>7.0} us  p99 {:>7.0} us{}",
                round + 1,
                options.rounds,
                specs[i].name,
                sample.rps,
                sample.p50_us,
                sample.p99_us,
                if sample.errors > 0 {
                    format!("  ({} errors)", sample.errors)
                } else {
                    String::new()
                }
            );
            variants[i].samples.push(sample);
        }
    }
    Ok(Results {
        wrk_version,
        options,
        variants,
    })
}

/// Runs `wrk` for `secs` against `addr` and parses its summary.
fn wrk(addr: std::net::SocketAddr, secs: u32, connections: u32) -> Result<Sample> {
    let out = gatewit_envoy_harness::wrk::command(connections, secs)
        .arg("--latency")
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
            errors += gatewit_envoy_harness::wrk::socket_errors(rest);
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

pub(crate) fn median(mut values: Vec<f64>) -> f64 {
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
fn paired(variants: &[Measured], a: usize, b: usize, f: impl Fn(&Sample, &Sample) -> f64) -> f64 {
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

/// The wrk sections of the report: the table, the target, where the cost
/// goes.
pub fn report(md: &mut String, specs: &[Spec], results: &Results) -> Result<()> {
    let variants = &results.variants;
    let rps: Vec<f64> = variants
        .iter()
        .map(|v| median(v.samples.iter().map(|s| s.rps).collect()))
        .collect();
    let p99: Vec<f64> = variants
        .iter()
        .map(|v| median(v.samples.iter().map(|s| s.p99_us).collect()))
        .collect();

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
    for (i, (spec, v)) in specs.iter().zip(variants).enumerate() {
        let ratio = paired(variants, i, 0, |x, y| x.rps / y.rps);
        let overhead = paired(variants, i, 0, |x, y| cost(x) - cost(y));
        writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.0} µs | {} |",
            spec.name,
            spec.module_cell(),
            spec.size_cell(),
            rps[i],
            ratio,
            overhead,
            p99[i],
            if v.plugin_header { "yes" } else { "no" }
        )?;
    }
    writeln!(md)?;

    // The target: the gatewit plugin's cost above the empty module is
    // at most a quarter of the crate plugin's, and its module no larger.
    let find = |name: &str| specs.iter().position(|v| v.name == name);
    if let (Some(e), Some(c)) = (find(crate::EMPTY), find(crate::CRATE)) {
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
        match find(crate::GATEWIT) {
            Some(g) => {
                let extra = paired(variants, g, e, |x, y| cost(x) - cost(y));
                let relative = paired(variants, g, c, |x, y| cost(x) / cost(y));
                let ok = extra <= crate_extra / 4.0;
                let size_ok = specs[g].size <= specs[c].size;
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
                    specs[g].size.unwrap_or(0),
                    specs[c].size.unwrap_or(0),
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
    let rows = crate::breakdown_rows(specs);
    if let (Some(e), false) = (find(crate::EMPTY), rows.is_empty()) {
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
    Ok(())
}

/// The wrk pass's lines of the report's setup list.
pub fn setup(md: &mut String, results: &Results) -> Result<()> {
    let Options {
        rounds,
        duration,
        connections,
    } = results.options;
    writeln!(
        md,
        "- load: `{}`, `wrk -t1 -c{connections} -d{duration}s --latency` with headers `user-agent` and `x-bench`, loopback",
        results.wrk_version
    )?;
    writeln!(
        md,
        "- {rounds} rounds; each round runs every variant once, in an order rotated per round; the table shows medians; \
         a 1 s warm-up per variant precedes the rounds"
    )?;
    let base: Vec<f64> = results.variants[0].samples.iter().map(|s| s.rps).collect();
    let (lo, hi) = base.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    });
    writeln!(
        md,
        "- noise: the no-filter Envoy ranged from {lo:.0} to {hi:.0} req/s across rounds; differences \
         smaller than that spread between single rounds mean little, the paired medians above are the signal"
    )?;
    Ok(())
}

/// Every round's numbers, as a section.
pub fn every_round(md: &mut String, specs: &[Spec], results: &Results) -> Result<()> {
    let rounds = results.options.rounds;
    writeln!(md, "\n## Every round\n")?;
    write!(md, "| variant |")?;
    for r in 0..rounds {
        write!(md, " round {} req/s (p99 µs) |", r + 1)?;
    }
    writeln!(md)?;
    writeln!(md, "|---|{}", "---:|".repeat(rounds as usize))?;
    for (spec, v) in specs.iter().zip(&results.variants) {
        write!(md, "| {} |", spec.name)?;
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
    Ok(())
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
