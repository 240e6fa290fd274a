//! How long `gatewit_adapter::adapt` takes on real plugins (envoy profile):
//! `my-plugin` in Rust (~100 KB), JavaScript (componentize-js, 12 MB) and
//! Python (componentize-py, 18 MB, linked from 14 modules), against
//! `wasmparser`'s full validation of the component plus that of the
//! adapted module: what a tool that checks its input and its output does.
//! `adapt` validates each function body once, in the output (and the few
//! the output leaves out where they are), so it can do less than that.
//! The ratio says how many validations' worth of work adapting is; MB/s is
//! of the component.
//!
//! `cargo bench -p gatewit-adapter --bench adapt [-- NAME]`; instruction
//! counts of one run: see [`once`].

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use criterion::{BenchmarkId, Criterion};
use gatewit_adapter::{Options, adapt};
use wasmparser::{Validator, WasmFeatures};

const PLUGINS: &[&str] = &["my-plugin", "my-plugin-js", "my-plugin-py"];
const SAMPLE_SIZE: usize = 10;

/// The floor: a full validation of the input and of the output.
fn validate(component: &[u8], module: &[u8]) {
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(component)
        .expect("the component validated before the run");
    Validator::new_with_features(WasmFeatures::default() | WasmFeatures::LEGACY_EXCEPTIONS)
        .validate_all(module)
        .expect("the module validated before the run");
}

/// Criterion's median of the per-iteration means of its samples (the last
/// `SAMPLE_SIZE` calls of the routine; the earlier ones were its warm-up).
fn median(samples: &[Duration]) -> Option<Duration> {
    let mut times = samples
        .get(samples.len().checked_sub(SAMPLE_SIZE)?..)?
        .to_vec();
    times.sort();
    let mid = times.len() / 2;
    Some(if times.len().is_multiple_of(2) {
        (times[mid - 1] + times[mid]) / 2
    } else {
        times[mid]
    })
}

/// Times `f` the way criterion asks, keeping each sample's mean.
fn timed(samples: &mut Vec<Duration>, iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let elapsed = start.elapsed();
    samples.push(elapsed / u32::try_from(iters.max(1)).unwrap_or(u32::MAX));
    elapsed
}

/// One run of what `ADAPT_ONCE` names, for instruction counts
/// (deterministic, where wall clock on a shared machine is not):
/// - `validate:NAME`, the floor, single-threaded:
///   `valgrind --tool=callgrind --toggle-collect='adapt::validate_once*' BENCH_BINARY`;
/// - `adapt:NAME`, on every thread `adapt` starts (which `--toggle-collect`
///   would not see): the whole run, where nothing else is done but reading
///   the component (`read:NAME` counts that alone).
#[inline(never)]
fn once(spec: &str) -> Result<()> {
    let (what, plugin) = spec
        .split_once(':')
        .context("`ADAPT_ONCE` is `adapt:NAME`, `validate:NAME` or `read:NAME`")?;
    let component = gatewit_test_programs::bytes(plugin, gatewit_test_programs::COMPONENT_TARGET)?;
    let options = Options::default();
    let adapted =
        || adapt(black_box(&component), &options).with_context(|| format!("adapting `{plugin}`"));
    match what {
        "adapt" => {
            black_box(adapted()?);
        }
        "validate" => {
            let module = adapted()?.module;
            validate_once(&component, &module);
        }
        "read" => {
            black_box(&component);
        }
        _ => anyhow::bail!("`ADAPT_ONCE` is `adapt:NAME`, `validate:NAME` or `read:NAME`"),
    }
    Ok(())
}

#[inline(never)]
fn validate_once(component: &[u8], module: &[u8]) {
    validate(black_box(component), black_box(module));
}

fn main() -> Result<()> {
    if let Ok(spec) = std::env::var("ADAPT_ONCE") {
        return once(&spec);
    }
    let mut c = Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .nresamples(20_000)
        .configure_from_args();
    let options = Options::default();
    let mut lines = Vec::new();
    for plugin in PLUGINS {
        let component =
            gatewit_test_programs::bytes(plugin, gatewit_test_programs::COMPONENT_TARGET)?;
        let adapted =
            adapt(&component, &options).with_context(|| format!("adapting `{plugin}`"))?;
        let module = adapted.module;
        let mut group = c.benchmark_group("adapt");
        let mut samples: [Vec<Duration>; 2] = Default::default();
        let [validated, adapting] = &mut samples;
        group.bench_function(BenchmarkId::new("validate in+out", plugin), |b| {
            b.iter_custom(|iters| {
                timed(validated, iters, || {
                    validate(black_box(&component), &module)
                })
            });
        });
        group.bench_function(BenchmarkId::new("adapt", plugin), |b| {
            b.iter_custom(|iters| {
                timed(adapting, iters, || {
                    black_box(
                        adapt(black_box(&component), &options).expect("adapted before the run"),
                    );
                })
            });
        });
        group.finish();
        let mb = component.len() as f64 / 1e6;
        lines.push(match (median(&samples[0]), median(&samples[1])) {
            (Some(v), Some(a)) => format!(
                "{plugin}: {mb:.2} MB -> {:.2} MB; median validate in+out {:.1} ms, adapt {:.1} ms ({:.0} MB/s): adapt = {:.1} x validate",
                module.len() as f64 / 1e6,
                v.as_secs_f64() * 1e3,
                a.as_secs_f64() * 1e3,
                mb / a.as_secs_f64(),
                a.as_secs_f64() / v.as_secs_f64()
            ),
            _ => format!("{plugin}: not both measured in this run (filtered out?)"),
        });
    }
    c.final_summary();
    println!();
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
