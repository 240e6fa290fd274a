//! Differential testing: random requests through the same plugin on the
//! host shim and the emulator must come out the same in everything the
//! plugin controls (`gatewit_fuzz_targets::differential`; libFuzzer drives
//! the same code from `scripts/fuzz.sh`). Deterministic (a fixed seed per
//! run); a disagreement prints the request that caused it.

use anyhow::Result;
use gatewit_fuzz_targets::differential::{SUBJECTS, Seeded, Subject, compare};

fn subject(plugin: &str, config: &str) -> Subject {
    *SUBJECTS
        .iter()
        .find(|s| s.plugin == plugin && s.config.contains(config))
        .unwrap_or_else(|| panic!("no differential subject `{plugin}` with `{config}`"))
}

#[test]
fn raw_fixture_agrees_on_random_requests() -> Result<()> {
    compare(subject("raw-fixture", ""), 1_000, &mut Seeded(0x5eed_0001))
}

#[test]
fn sdk_examples_agree_on_random_requests() -> Result<()> {
    compare(subject("my-plugin", "false"), 200, &mut Seeded(0x5eed_0002))?;
    compare(subject("my-plugin", "true"), 100, &mut Seeded(0x5eed_0003))?;
    compare(subject("hello-world", ""), 100, &mut Seeded(0x5eed_0004))?;
    compare(subject("body-rewrite", ""), 200, &mut Seeded(0x5eed_0005))
}
