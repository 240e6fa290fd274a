//! The short fuzzing pass of the test suite: each target over its seeds
//! and deterministic mutations of them. Long runs use libFuzzer
//! (`scripts/fuzz.sh`); a finding there gets its input added here.

use gatewit_fuzz_targets::{
    Mutator, adapt, config, config_seeds, differential, pairs, pairs_seeds, resp, resp_seeds,
};

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
fn pair_maps() {
    run(&pairs_seeds(), 100_000, pairs);
}

/// The libFuzzer entry of the differential target, on inputs for the raw
/// fixture (the suite's long deterministic runs over every subject are in
/// `gatewit-tests`; compiling them all again here would cost seconds).
#[test]
fn differential_entry() {
    let mut m = Mutator::new(7);
    let seed = [
        vec![0u8; 1],
        (0..96u8).map(|i| i.wrapping_mul(37)).collect(),
    ]
    .concat();
    differential(&seed);
    for _ in 0..20 {
        let mut input = m.mutate(std::slice::from_ref(&seed));
        if let Some(first) = input.first_mut() {
            *first = 0;
        }
        differential(&input);
    }
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

/// The link step (several modules, one memory): the hand-written golden
/// components and mutations of them, which stay small enough to reach the
/// linker's own checks rather than only the validator's.
#[test]
fn adapter_link_step() -> anyhow::Result<()> {
    run(&gatewit_fuzz_targets::adapt_extra_seeds()?, 5_000, adapt);
    Ok(())
}
