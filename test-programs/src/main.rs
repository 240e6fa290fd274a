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
        build_timed(target, &programs(target), target)?;
    }
    // componentize-js and componentize-py leave a core idle most of the
    // time: one after the other they took 9 and 13 s here, side by side 18 s
    // for both. The compositions need only Rust components.
    std::thread::scope(|scope| {
        let js = scope.spawn(|| {
            build_timed(
                "javascript (componentize-js)",
                JS_EXAMPLES,
                COMPONENT_TARGET,
            )
        });
        let py = build_timed("python (componentize-py)", PY_EXAMPLES, COMPONENT_TARGET);
        let js = js
            .join()
            .map_err(|_| anyhow::anyhow!("the JavaScript build thread panicked"))?;
        js.and(py)
    })?;
    build_timed(
        "compositions (wac plug)",
        COMPOSED_EXAMPLES,
        COMPONENT_TARGET,
    )
}

/// Builds `packages` for `target`, then prints how long it took under `label`.
fn build_timed(label: &str, packages: &[&str], target: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    for package in packages {
        build(package, target)?;
    }
    println!(
        "{label}: {} programs in {:.1} s",
        packages.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
