//! Differential testing: random requests through the same plugin on the
//! host shim and the emulator must come out the same in everything the
//! plugin controls (`gatewit_fuzz_targets::differential`; libFuzzer drives
//! the same code from `scripts/fuzz.sh`). Deterministic (a fixed seed per
//! run); a disagreement prints the request that caused it.

use anyhow::Result;
use gatewit_fuzz_targets::differential::{
    BODY_REWRITE, HELLO_WORLD, MY_PLUGIN, MY_PLUGIN_MOCK, RAW_FIXTURE, Seeded, compare,
};

#[test]
fn raw_fixture_agrees_on_random_requests() -> Result<()> {
    compare(RAW_FIXTURE, 1_000, &mut Seeded(0x5eed_0001))
}

#[test]
fn sdk_examples_agree_on_random_requests() -> Result<()> {
    compare(MY_PLUGIN, 200, &mut Seeded(0x5eed_0002))?;
    compare(MY_PLUGIN_MOCK, 100, &mut Seeded(0x5eed_0003))?;
    compare(HELLO_WORLD, 100, &mut Seeded(0x5eed_0004))?;
    compare(BODY_REWRITE, 200, &mut Seeded(0x5eed_0005))
}
