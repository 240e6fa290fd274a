//! How long `gatewit_adapter::adapt` takes on a real plugin (`my-plugin`,
//! built for `wasm32-wasip2`, envoy profile), against the cheapest thing any
//! tool does with the same bytes: `wasmparser`'s full validation. The ratio
//! says how many validations' worth of work adapting is (it validates its
//! input and its output itself).
//!
//! `cargo bench -p gatewit-adapter --bench adapt`

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use criterion::{BenchmarkId, Criterion};
use gatewit_adapter::{Options, adapt};
use wasmparser::{Validator, WasmFeatures};

const PLUGIN: &str = "my-plugin";
const SAMPLE_SIZE: usize = 20;

/// The baseline: what `adapt` itself runs on its input before anything else.
fn validate(bytes: &[u8]) {
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(bytes)
        .expect("the component validated before the run");
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

fn main() -> Result<()> {
    let component = gatewit_test_programs::bytes(PLUGIN, gatewit_test_programs::COMPONENT_TARGET)?;
    // Both sides must succeed on this input, or the comparison means nothing.
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&component)
        .with_context(|| format!("`{PLUGIN}` does not validate"))?;
    let adapted =
        adapt(&component, &Options::default()).with_context(|| format!("adapting `{PLUGIN}`"))?;
    println!(
        "{PLUGIN}: component {} B -> proxy-wasm module {} B\n",
        component.len(),
        adapted.module.len()
    );

    let mut c = Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .nresamples(20_000)
        .configure_from_args();
    let options = Options::default();
    let mut group = c.benchmark_group("adapt");
    let mut samples: [Vec<Duration>; 2] = Default::default();
    let [validated, adapted] = &mut samples;
    group.bench_function(BenchmarkId::new("validate", PLUGIN), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                validate(black_box(&component));
            }
            let elapsed = start.elapsed();
            validated.push(elapsed / u32::try_from(iters.max(1)).unwrap_or(u32::MAX));
            elapsed
        });
    });
    group.bench_function(BenchmarkId::new("adapt", PLUGIN), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(adapt(black_box(&component), &options).expect("adapted before the run"));
            }
            let elapsed = start.elapsed();
            adapted.push(elapsed / u32::try_from(iters.max(1)).unwrap_or(u32::MAX));
            elapsed
        });
    });
    group.finish();
    c.final_summary();

    match (median(&samples[0]), median(&samples[1])) {
        (Some(v), Some(a)) => println!(
            "\n{PLUGIN}: median validate {:.1} µs, adapt {:.1} µs: adapt = {:.1} × validate",
            v.as_secs_f64() * 1e6,
            a.as_secs_f64() * 1e6,
            a.as_secs_f64() / v.as_secs_f64()
        ),
        _ => println!("\nNot both measured in this run: no ratio."),
    }
    Ok(())
}
