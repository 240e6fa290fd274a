//! Per-request cost of one plugin, in-process: one `GET /` (headers
//! `user-agent` and `x-bench`) through one plugin instance, answered by the
//! default upstream response.
//!
//! Variants, all the same header logic except the empty module (see
//! `bench/README.md`):
//! - on the proxy-wasm emulator (wasmtime's core API playing Envoy): the
//!   empty module (the baseline), the raw-ABI floor, the `proxy-wasm` crate
//!   plugin, and the gatewit plugin built for `wasm32-wasip2` and adapted
//!   (envoy profile);
//! - on the host shim: the gatewit component itself, natively on wasmtime's
//!   component model.
//!
//! Before criterion runs, the bench prints the guest's wasm instructions per
//! request for each emulator variant (the emulator's fuel count: exact and
//! repeatable, unlike a time); after it, the median time per request of each
//! variant and its ratios to the empty module and to the crate plugin.
//!
//! `cargo bench -p gatewit-tests --bench requests`

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use criterion::{BenchmarkId, Criterion};
use gatewit_adapter::Profile;
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_proxy_emulator::{Emulator, EmulatorOptions, HostProfile, LogLevel};
use gatewit_tests::adapted::{Toolchain, component_file, emulator_module};
use gatewit_tests::plugins::core_module;

const SAMPLE_SIZE: usize = 20;
/// Requests whose fuel is counted per variant, after [`FUEL_WARMUP`].
const FUEL_REQUESTS: u64 = 200;
/// Requests before fuel is counted: first requests fill caches and grow the
/// plugin's heap, which later requests do not pay for.
const FUEL_WARMUP: u64 = 20;

const EMPTY: &str = "gatewit-bench-empty";
const CRATE: &str = "gatewit-bench-crate-headers";
const GATEWIT: &str = "gatewit-bench-gatewit-headers";
/// The same callbacks as the crate and gatewit plugins with no work in them:
/// what each side costs before the plugin does anything.
const CRATE_NOOP: &str = "gatewit-bench-crate-noop";
const GATEWIT_NOOP: &str = "gatewit-bench-gatewit-noop";

/// One plugin under one host.
struct Variant {
    /// The host: `emulator` or `host-shim`.
    tier: &'static str,
    /// The plugin's package.
    package: &'static str,
    /// Whether the plugin adds the bench headers (all but the empty module).
    adds_headers: bool,
    gateway: Box<dyn Gateway>,
    /// Guest wasm instructions per request (emulator only).
    fuel: Option<Fuel>,
    /// Mean time per request of each criterion call, in call order.
    samples: Vec<Duration>,
}

/// Per request over [`FUEL_REQUESTS`] requests: guest fuel, and the host
/// crossings that explain it.
struct Fuel {
    mean: f64,
    min: u64,
    max: u64,
    callbacks: f64,
    hostcalls: f64,
    mallocs: f64,
}

impl Variant {
    fn label(&self) -> String {
        format!("{}/{}", self.tier, short(self.package))
    }

    /// Criterion's median of the per-iteration means of its samples (the
    /// last `SAMPLE_SIZE` calls; the earlier ones were its warm-up).
    fn median(&self) -> Option<Duration> {
        if self.samples.len() < SAMPLE_SIZE {
            return None;
        }
        let mut times = self.samples[self.samples.len() - SAMPLE_SIZE..].to_vec();
        times.sort();
        let mid = times.len() / 2;
        Some(if times.len().is_multiple_of(2) {
            (times[mid - 1] + times[mid]) / 2
        } else {
            times[mid]
        })
    }
}

fn short(package: &str) -> &str {
    package.strip_prefix("gatewit-bench-").unwrap_or(package)
}

fn request() -> HttpRequest {
    HttpRequest::get("bench", "/")
        .header("user-agent", "gatewit-bench")
        .header("x-bench", "1")
}

fn emulator(module: &Path) -> Result<Emulator> {
    let bytes = std::fs::read(module).with_context(|| format!("reading `{}`", module.display()))?;
    let options = EmulatorOptions {
        profile: HostProfile::Envoy,
        // Envoy's default: keeps plugin debug logging out of the figures.
        log_level: LogLevel::Info,
        // Timed per request: the code Envoy's optimising compiler would run.
        optimise_code: true,
        ..EmulatorOptions::default()
    };
    Emulator::with_options(&bytes, &GatewaySetup::default(), options)
        .with_context(|| format!("loading `{}` into the emulator", module.display()))
}

/// The fuel of each request after a warm-up; errors if a request fails.
fn fuel_per_request(emulator: &mut Emulator) -> Result<Fuel> {
    let (request, upstream) = (request(), UpstreamResponse::default());
    for _ in 0..FUEL_WARMUP {
        emulator.send(&request, &upstream)?;
    }
    let (mut total, mut min, mut max) = (0, u64::MAX, 0);
    let (callbacks, hostcalls, mallocs) = (
        emulator.callbacks_called(),
        emulator.hostcall_total(),
        emulator.guest_allocations(),
    );
    for _ in 0..FUEL_REQUESTS {
        let before = emulator.fuel_used();
        emulator.send(&request, &upstream)?;
        let used = emulator.fuel_used() - before;
        total += used;
        min = min.min(used);
        max = max.max(used);
    }
    let per_request = |n: u64| n as f64 / FUEL_REQUESTS as f64;
    Ok(Fuel {
        mean: per_request(total),
        min,
        max,
        callbacks: per_request(emulator.callbacks_called() - callbacks),
        hostcalls: per_request(emulator.hostcall_total() - hostcalls),
        mallocs: per_request(emulator.guest_allocations() - mallocs),
    })
}

fn emulated(package: &'static str, module: &Path) -> Result<Variant> {
    let mut emulator = emulator(module)?;
    let fuel = fuel_per_request(&mut emulator).with_context(|| format!("counting `{package}`"))?;
    Ok(Variant {
        tier: "emulator",
        package,
        adds_headers: ![EMPTY, CRATE_NOOP, GATEWIT_NOOP].contains(&package),
        gateway: Box::new(emulator),
        fuel: Some(fuel),
        samples: Vec::new(),
    })
}

fn variants() -> Result<Vec<Variant>> {
    let mut variants = Vec::new();
    for package in [EMPTY, "gatewit-bench-floor-pairs", CRATE, CRATE_NOOP] {
        variants.push(emulated(package, &core_module(package)?)?);
    }
    for package in [GATEWIT, GATEWIT_NOOP] {
        let adapted = emulator_module(package, Toolchain::Wasip2, Profile::Envoy)?;
        variants.push(emulated(package, &adapted)?);
    }
    let component = component_file(GATEWIT)?;
    variants.push(Variant {
        tier: "host-shim",
        package: GATEWIT,
        adds_headers: true,
        // Timed per request: optimised, as the emulator's variants are.
        gateway: Box::new(ShimGateway::with(
            component,
            &GatewaySetup::default(),
            |builder| builder.optimise_code(true),
        )?),
        fuel: None,
        samples: Vec::new(),
    });
    Ok(variants)
}

/// A variant that answers without running its plugin would make the figures
/// meaningless: check the plugin's headers are there (and absent for the
/// empty module and the no-op plugins, which must pass the request through
/// untouched).
fn check(variant: &mut Variant) -> Result<()> {
    let exchange = variant
        .gateway
        .send(&request(), &UpstreamResponse::default())?;
    ensure!(
        exchange.response.status == 200,
        "status {}",
        exchange.response.status
    );
    ensure!(
        exchange.upstream.is_some(),
        "the request never reached the upstream"
    );
    let added = (
        exchange.upstream_header("x-gatewit-bench"),
        exchange.response_header("x-gatewit-bench-response"),
    );
    match (variant.adds_headers, added) {
        (true, (Some("1"), Some("1"))) | (false, (None, None)) => Ok(()),
        (true, _) => bail!("the plugin did not run: bench headers {added:?}, expected both `1`"),
        (false, _) => bail!("a module without header work added headers: {added:?}"),
    }
}

fn print_fuel(variants: &[Variant]) {
    let fuel = |package: &str| {
        variants
            .iter()
            .find(|v| v.package == package && v.fuel.is_some())
            .and_then(|v| v.fuel.as_ref())
            .map(|f| f.mean)
    };
    let (empty, krate) = (fuel(EMPTY), fuel(CRATE));
    println!(
        "Guest wasm instructions per request (emulator fuel, mean of {FUEL_REQUESTS} requests \
         after {FUEL_WARMUP}; share = (variant − empty) / (crate − empty); callbacks the host \
         called, hostcalls, and host-to-guest `malloc` calls per request):\n"
    );
    println!(
        "{:<28} {:>14} {:>12} {:>7} {:>10} {:>10} {:>8}",
        "variant", "instructions", "above empty", "share", "callbacks", "hostcalls", "mallocs"
    );
    for v in variants {
        let Some(f) = &v.fuel else { continue };
        let above = empty.map(|e| f.mean - e);
        let share = match (above, empty, krate) {
            (Some(a), Some(e), Some(c)) if c > e => format!("{:.2}", a / (c - e)),
            _ => "—".into(),
        };
        let spread = if f.min == f.max {
            String::new()
        } else {
            format!("  (per request {}..{})", f.min, f.max)
        };
        println!(
            "{:<28} {:>14.0} {:>12} {:>7} {:>10.1} {:>10.1} {:>8.1}{spread}",
            v.label(),
            f.mean,
            above.map_or("—".into(), |a| format!("{a:.0}")),
            share,
            f.callbacks,
            f.hostcalls,
            f.mallocs
        );
    }
    println!();
}

fn bench(c: &mut Criterion, variants: &mut [Variant]) {
    let (request, upstream) = (request(), UpstreamResponse::default());
    let mut group = c.benchmark_group("request");
    for v in variants.iter_mut() {
        let id = BenchmarkId::new(v.tier, short(v.package));
        let (gateway, samples) = (&mut v.gateway, &mut v.samples);
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    // Panicking is criterion's only way out; the variant
                    // already passed `check`, so this is a real regression.
                    black_box(gateway.send(&request, &upstream).expect("request failed"));
                }
                let elapsed = start.elapsed();
                samples.push(elapsed / u32::try_from(iters.max(1)).unwrap_or(u32::MAX));
                elapsed
            });
        });
    }
    group.finish();
}

fn print_ratios(variants: &[Variant]) {
    let median = |package: &str| {
        variants
            .iter()
            .find(|v| v.tier == "emulator" && v.package == package)
            .and_then(Variant::median)
    };
    let (empty, krate) = (median(EMPTY), median(CRATE));
    if variants.iter().all(|v| v.median().is_none()) {
        // `--test`, `--list` or a filter that matched nothing.
        println!("\nNo variant was measured in this run: no ratios.");
        return;
    }
    println!(
        "\nMedian time per request (criterion's {SAMPLE_SIZE} samples); ratios to the emulator's \
         empty module and crate plugin; share = (variant − empty) / (crate − empty):\n"
    );
    println!(
        "{:<28} {:>10} {:>9} {:>9} {:>7}",
        "variant", "median", "÷ empty", "÷ crate", "share"
    );
    for v in variants {
        let Some(m) = v.median() else {
            println!("{:<28} (not measured in this run)", v.label());
            continue;
        };
        let ratio = |base: Option<Duration>| {
            base.map_or("—".into(), |b| {
                format!("{:.2}", m.as_secs_f64() / b.as_secs_f64())
            })
        };
        let share = match (empty, krate) {
            (Some(e), Some(c)) if c > e => format!(
                "{:.2}",
                (m.as_secs_f64() - e.as_secs_f64()) / (c.as_secs_f64() - e.as_secs_f64())
            ),
            _ => "—".into(),
        };
        println!(
            "{:<28} {:>8.2}µs {:>9} {:>9} {:>7}",
            v.label(),
            m.as_secs_f64() * 1e6,
            ratio(empty),
            ratio(krate),
            share
        );
    }
}

fn main() -> Result<()> {
    let mut variants = variants()?;
    for v in &mut variants {
        check(v).with_context(|| format!("{} did not handle the bench request", v.label()))?;
    }
    print_fuel(&variants);
    // Short runs: the whole bench should take well under a minute; the
    // spread criterion reports says whether that was enough.
    let mut c = Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .nresamples(20_000)
        .configure_from_args();
    bench(&mut c, &mut variants);
    c.final_summary();
    print_ratios(&variants);
    Ok(())
}
