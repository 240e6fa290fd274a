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
    // componentize-js and componentize-py leave a core idle most of the
    // time: one after the other they took 9 and 13 s here, side by side 18 s
    // for both. The compositions need only Rust components.
    let foreign = |toolchain: &str, packages: &[&str]| -> anyhow::Result<()> {
        let started = Instant::now();
        for package in packages {
            build(package, COMPONENT_TARGET)?;
        }
        println!(
            "{toolchain}: {} programs in {:.1} s",
            packages.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    };
    std::thread::scope(|scope| {
        let js = scope.spawn(|| foreign("javascript (componentize-js)", JS_EXAMPLES));
        let py = foreign("python (componentize-py)", PY_EXAMPLES);
        let js = js
            .join()
            .map_err(|_| anyhow::anyhow!("the JavaScript build thread panicked"))?;
        js.and(py)
    })?;
    foreign("compositions (wac plug)", COMPOSED_EXAMPLES)?;
    Ok(())
}
