//! Golden tests (wit-component style): each `tests/golden/<case>/` holds a
//! hand-written core module (`module.wat`, embedded into a component with
//! wit-component) or a whole hand-written component (`component.wat`, for
//! shapes wit-component does not emit from one module), optionally a `world.wit` (a
//! package defining the world to embed, default `plugin`), a `profile`
//! file (`envoy` or `higress`) and an `options` file (`key=value` lines:
//! `on-panic=reply|continue|trap`, `exceptions=legacy|standard`). The adapted module is validated, verified
//! and compared with `output.wat`; `BLESS=1` rewrites the expectations.

use crate::common;

use anyhow::{Context, Result};
use gatewit_adapter::{ExceptionEncoding, OnPanic, Options, Profile, adapt, verify};
use std::path::Path;

fn run_case(dir: &Path) -> Result<()> {
    let component = match std::fs::read_to_string(dir.join("component.wat")) {
        Ok(text) => wat::parse_str(&text)?,
        Err(_) => {
            let wat = std::fs::read_to_string(dir.join("module.wat"))?;
            let extra = std::fs::read_to_string(dir.join("world.wit")).ok();
            let world = if extra.is_some() { "test" } else { "plugin" };
            common::component(&wat, extra.as_deref(), world)?
        }
    };
    if let Some(d) = std::env::var_os("DUMP") {
        std::fs::write(
            Path::new(&d).join(format!(
                "{}.wasm",
                dir.file_name().unwrap().to_string_lossy()
            )),
            &component,
        )?;
    }
    let profile = match std::fs::read_to_string(dir.join("profile"))
        .ok()
        .as_deref()
        .map(str::trim)
    {
        Some("higress") => Profile::Higress,
        _ => Profile::Envoy,
    };
    let mut options = Options {
        profile,
        keep_names: true,
        ..Options::default()
    };
    let listed = std::fs::read_to_string(dir.join("options")).unwrap_or_default();
    for line in listed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('=') {
            Some(("on-panic", "reply")) => options.on_panic = OnPanic::Reply,
            Some(("on-panic", "continue")) => options.on_panic = OnPanic::Continue,
            Some(("on-panic", "trap")) => options.on_panic = OnPanic::Trap,
            Some(("exceptions", "legacy")) => options.exceptions = ExceptionEncoding::Legacy,
            Some(("exceptions", "standard")) => options.exceptions = ExceptionEncoding::Standard,
            Some(("check-bounds", "on")) => options.check_bounds = true,
            _ => anyhow::bail!("{}: unknown option line `{line}`", dir.display()),
        }
    }
    let adapted = adapt(&component, &options)?;
    verify(&component, &adapted.module)?;
    let text = wasmprinter::print_bytes(&adapted.module)?;
    let r = &adapted.report;
    let summary = format!(
        "world: {}\nhooks: {}\nglued: {}\nimports: {}\nexports: {}\n",
        r.world,
        r.hooks.join(" "),
        r.glued.join(" "),
        r.imports.join(" "),
        r.exports.join(" "),
    );
    let expected = dir.join("output.wat");
    let expected_summary = dir.join("report.txt");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected, &text)?;
        std::fs::write(&expected_summary, &summary)?;
        return Ok(());
    }
    let want = std::fs::read_to_string(&expected)
        .with_context(|| format!("missing {}; run with BLESS=1", expected.display()))?;
    let want_summary = std::fs::read_to_string(&expected_summary)?;
    anyhow::ensure!(
        want_summary == summary,
        "report differs:\n{summary}\nexpected:\n{want_summary}"
    );
    anyhow::ensure!(
        want == text,
        "output.wat differs for {} (run with BLESS=1 to update)",
        dir.display()
    );
    Ok(())
}

#[test]
fn golden() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        if let Err(e) = run_case(dir) {
            failures.push(format!("{}: {e:#}", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "golden failures:\n{}",
        failures.join("\n")
    );
    assert!(dirs.len() >= 5, "expected at least 5 golden cases");
    Ok(())
}
