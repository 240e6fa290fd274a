//! Writes the seeds of the RESP, configuration, pair-map and differential
//! targets, and the adapter's hand-written components, into
//! `<dir>/<target>/` (libFuzzer corpora); `scripts/fuzz.sh` adds the wasm
//! programs for `adapt`.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    for (target, seeds) in [
        ("resp", gatewit_fuzz_targets::resp_seeds()),
        ("config", gatewit_fuzz_targets::config_seeds()),
        ("pairs", gatewit_fuzz_targets::pairs_seeds()),
        ("differential", differential_seeds()),
        ("adapt", gatewit_fuzz_targets::adapt_extra_seeds()?),
    ] {
        let out = dir.join(target);
        std::fs::create_dir_all(&out)?;
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(out.join(format!("seed-{i}")), seed)?;
        }
    }
    Ok(())
}

/// One input per subject: its selector byte and a run of decisions.
fn differential_seeds() -> Vec<Vec<u8>> {
    (0..gatewit_fuzz_targets::differential::SUBJECTS.len() as u8)
        .map(|subject| {
            let mut input = vec![subject];
            input.extend((0..64u8).map(|i| i.wrapping_mul(29)));
            input
        })
        .collect()
}
