//! `cargo run -p gatewit-test-programs`: builds every wasm test program now
//! (what the first test to need them would do), printing how long each
//! target took; `scripts/test.sh` runs it as its own step so the suite's
//! time breakdown shows the wasm builds apart from the tests.

use std::time::Instant;

use gatewit_test_programs::{
    COMPONENT_TARGET, COMPOSED_EXAMPLES, CORE_TARGET, JS_EXAMPLES, PY_EXAMPLES, WASIP1_TARGET,
    build, programs,
};

fn main() -> anyhow::Result<()> {
    for target in [COMPONENT_TARGET, WASIP1_TARGET, CORE_TARGET] {
        let started = Instant::now();
        let packages = programs(target);
        for package in &packages {
            build(package, target)?;
        }
        println!(
            "{target}: {} programs in {:.1} s",
            packages.len(),
            started.elapsed().as_secs_f64()
        );
    }
    for (toolchain, packages) in [
        ("javascript (componentize-js)", JS_EXAMPLES),
        ("python (componentize-py)", PY_EXAMPLES),
        ("compositions (wac plug)", COMPOSED_EXAMPLES),
    ] {
        let started = Instant::now();
        for package in packages {
            build(package, COMPONENT_TARGET)?;
        }
        println!(
            "{toolchain}: {} programs in {:.1} s",
            packages.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
