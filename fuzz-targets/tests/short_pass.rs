//! The short fuzzing pass of the test suite: each target over its seeds
//! and deterministic mutations of them. Long runs use libFuzzer
//! (`scripts/fuzz.sh`); a finding there gets its input added here.

use gatewit_fuzz_targets::{Mutator, adapt, config, config_seeds, resp, resp_seeds};

fn run(seeds: &[Vec<u8>], mutants: usize, target: fn(&[u8])) {
    for seed in seeds {
        target(seed);
    }
    let mut m = Mutator::new(0x9e37_79b9_7f4a_7c15);
    for _ in 0..mutants {
        target(&m.mutate(seeds));
    }
}

#[test]
fn resp_parser() {
    run(&resp_seeds(), 100_000, resp);
}

#[test]
fn configuration_parsing() {
    run(&config_seeds(), 30_000, config);
}

/// Seeded with every wasm program the tests build for `wasm32-wasip2`
/// (examples and fixtures, i.e. what rustc and wasm-component-ld emit) and
/// the plain proxy-wasm modules (a core module is an input error).
#[test]
fn adapter() -> anyhow::Result<()> {
    let mut seeds = Vec::new();
    for target in ["wasm32-wasip2", "wasm32-unknown-unknown"] {
        for package in gatewit_test_programs::programs(target) {
            seeds.push(gatewit_test_programs::bytes(package, target)?);
        }
    }
    run(&seeds, 500, adapt);
    Ok(())
}
