//! The start-up pass (`--startup NAME=MODULE`): how long Envoy takes from
//! its launch to the first answer through the plugin, per module. Envoy
//! compiles the module (V8) and runs the plugin's configure callback before
//! its listener serves, so this is what an operator waits for on a deploy
//! or a VM reload, and it grows with the module's code size.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use gatewit_envoy_harness::{Envoy, EnvoyConfig, Launch, WasmFilter};

use crate::Spec;

/// The largest module whose start is counted under callgrind (some 50
/// times slower: a 12 MB module would take over the ready timeout).
pub const MAX_COUNTED_SIZE: u64 = 2 << 20;

/// A 12 MB JavaScript module has taken up to a minute on a loaded machine.
const READY_TIMEOUT: Duration = Duration::from_secs(300);

/// What the pass measured: per variant, each run's time to the first answer.
pub struct Results {
    runs: Vec<Vec<Duration>>,
}

impl Results {
    /// Variant `i`'s median time to the first answer.
    pub fn median(&self, i: usize) -> Option<Duration> {
        self.runs.get(i).map(|t| median(t))
    }

    /// Runs per variant.
    pub fn runs(&self) -> usize {
        self.runs.first().map_or(0, Vec::len)
    }
}

/// Starts each variant's Envoy `runs` times, one Envoy at a time (two
/// compiling at once would share the cores and time each other), with
/// `configuration` for the plugin.
pub fn run(specs: &[Spec], runs: u32, configuration: &str) -> Result<Results> {
    let configs: Vec<EnvoyConfig> = specs
        .iter()
        .map(|spec| match &spec.module {
            None => EnvoyConfig::direct_response(),
            Some(path) => {
                EnvoyConfig::direct_response().with_wasm(WasmFilter::new(path, configuration))
            }
        })
        .collect();
    let mut all = vec![Vec::new(); specs.len()];
    // Run by run, every variant in each: a machine that slows down or
    // speeds up during the pass then moves every variant alike, where
    // all of one variant's runs in a row would carry the drift into its
    // median alone.
    for run in 1..=runs {
        for ((spec, config), times) in specs.iter().zip(&configs).zip(&mut all) {
            let started = Instant::now();
            let envoy = Envoy::launch(config, &Launch::default().ready_timeout(READY_TIMEOUT))
                .with_context(|| format!("starting Envoy with `{}`", spec.name))?;
            let (status, _) = gatewit_envoy_harness::client::get(
                envoy.listener_addr(),
                "/",
                Duration::from_secs(30),
            )
            .with_context(|| format!("the first request through `{}`", spec.name))?;
            let elapsed = started.elapsed();
            ensure!(
                status == 200,
                "`{}`: the first request got {status}, not 200",
                spec.name
            );
            eprintln!(
                "[startup] {}: run {run}/{runs}: {:.2} s",
                spec.name,
                elapsed.as_secs_f64()
            );
            times.push(elapsed);
            drop(envoy);
        }
    }
    Ok(Results { runs: all })
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// The report's `## Start-up` section.
pub fn report(
    md: &mut String,
    specs: &[Spec],
    results: &Results,
    counts: Option<(&[Spec], &crate::callgrind::Results)>,
) -> Result<()> {
    writeln!(md, "## Start-up\n")?;
    writeln!(
        md,
        "Time from Envoy's launch to the first `200` through the plugin (V8 compiles the module \
         and the plugin configures before the listener serves), one Envoy at a time, median of \
         {} runs taken in turns (each run starts every variant once); above `no filter` is what the \
         module adds.\n",
        results.runs.first().map_or(0, Vec::len)
    )?;
    writeln!(
        md,
        "| variant | module | size | ready (median) | above no filter | runs |"
    )?;
    writeln!(md, "|---|---|---:|---:|---:|---|")?;
    let base = results.runs.first().map(|t| median(t)).unwrap_or_default();
    for (spec, times) in specs.iter().zip(&results.runs) {
        let m = median(times);
        let each: Vec<String> = times
            .iter()
            .map(|t| format!("{:.2}", t.as_secs_f64()))
            .collect();
        writeln!(
            md,
            "| {} | {} | {} | {:.2} s | {:+.2} s | {} |",
            spec.name,
            spec.module_cell(),
            spec.size_cell(),
            m.as_secs_f64(),
            m.as_secs_f64() - base.as_secs_f64(),
            each.join(", ")
        )?;
    }
    writeln!(md)?;
    if let Some((counted, counts)) = counts {
        instructions(md, counted, counts)?;
    }
    Ok(())
}

/// The callgrind count of each variant's start: everything Envoy ran from
/// its launch to the first answer, all threads, under callgrind.
fn instructions(md: &mut String, specs: &[Spec], counts: &crate::callgrind::Results) -> Result<()> {
    use crate::callgrind::grouped;
    writeln!(
        md,
        "Instructions from Envoy's launch to the first answer (callgrind from the start, all \
         threads, one start per variant, one Envoy at a time; repeats to within about 3%, where \
         the wall clock swings by ±0.05 s; modules over {} MiB are left out, as V8 compiling them under \
         callgrind takes longer than the pass waits):\n",
        MAX_COUNTED_SIZE >> 20
    )?;
    writeln!(md, "| variant | size | instructions | above no filter |")?;
    writeln!(md, "|---|---:|---:|---:|")?;
    let base = counts.counts.first().map_or(0, |c| c.instructions);
    for (spec, count) in specs.iter().zip(&counts.counts) {
        writeln!(
            md,
            "| {} | {} | {} | {} |",
            spec.name,
            spec.size_cell(),
            grouped(count.instructions as f64),
            grouped(count.instructions as f64 - base as f64),
        )?;
    }
    writeln!(md)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Results, report};
    use crate::callgrind::fixtures::{results, spec};
    use std::time::Duration;

    #[test]
    fn reports_start_up_instructions_above_no_filter() -> anyhow::Result<()> {
        let specs = [spec("no filter"), spec("plugin")];
        let times = Results {
            runs: vec![
                vec![Duration::from_millis(100)],
                vec![Duration::from_millis(300)],
            ],
        };
        // 10 "requests" of 25 and 140 instructions: 250 and 1,400 in all.
        let counts = results(&[25, 140], 0);
        let mut md = String::new();
        report(&mut md, &specs, &times, Some((&specs[..], &counts)))?;
        assert!(
            md.contains("| plugin | — | — | 0.30 s | +0.20 s | 0.30 |"),
            "{md}"
        );
        assert!(md.contains("| no filter | — | 250 | 0 |"), "{md}");
        assert!(md.contains("| plugin | — | 1,400 | 1,150 |"), "{md}");
        Ok(())
    }
}
