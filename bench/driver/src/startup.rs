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
pub fn report(md: &mut String, specs: &[Spec], results: &Results) -> Result<()> {
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
    Ok(())
}
