//! Writes the RESP and configuration seeds into `<dir>/resp/` and
//! `<dir>/config/` (libFuzzer corpora); `scripts/fuzz.sh` adds the wasm
//! programs for `adapt`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    for (target, seeds) in [
        ("resp", gatewit_fuzz_targets::resp_seeds()),
        ("config", gatewit_fuzz_targets::config_seeds()),
    ] {
        let out = dir.join(target);
        std::fs::create_dir_all(&out)?;
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(out.join(format!("seed-{i}")), seed)?;
        }
    }
    Ok(())
}
