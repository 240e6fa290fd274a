//! `gatewit new` as a plugin author uses it: the crate it writes builds as a
//! component, answers as its README says in the host shim, and adapts.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

use common::gatewit;

/// A fresh, empty directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gatewit-new-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_new_plugin_builds_runs_as_its_readme_says_and_adapts() {
    let dir = scratch("e2e");
    let crate_dir = dir.join("team-tag");
    let (ok, out, err) = gatewit(&["new", crate_dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("src/lib.rs"), "{out}");
    // Built without position-independent code, wherever the crate lives.
    let config = std::fs::read_to_string(crate_dir.join(".cargo/config.toml")).unwrap();
    assert!(config.contains("relocation-model=static"), "{config}");

    // Its own workspace, built as its README says. The workspace's lock file
    // and target directory are lent to it: the same dependency versions and
    // the same release profile, so the SDK, serde and wit-bindgen built for
    // the examples are reused instead of built again.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
    let target = gatewit_test_programs::target_dir();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let build = Command::new(cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .output()
        .expect("cargo runs");
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let wasm = target.join("wasm32-wasip2/release/team_tag.wasm");
    let wasm = wasm.to_str().unwrap();

    // The README's table, row by row.
    let (ok, out, err) = gatewit(&["run", wasm, "--config", "{}", "--path", "/api"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("upstream got GET /api [host: example.com, x-team-tag: on]"),
        "{out}"
    );
    let config = r#"{"header":"x-team","value":"blue"}"#;
    let (ok, out, err) = gatewit(&["run", wasm, "--config", config, "--path", "/api"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("upstream got GET /api [host: example.com, x-team: blue]"),
        "{out}"
    );
    let config = r#"{"denyPrefixes":["/admin"]}"#;
    let (ok, out, err) = gatewit(&["run", wasm, "--config", config, "--path", "/admin/users"]);
    assert!(ok, "{err}");
    assert!(out.contains("upstream got nothing"), "{out}");
    assert!(
        out.contains(r#"response 403 "denied by team-tag""#),
        "{out}"
    );
    let (ok, _, err) = gatewit(&["run", wasm, "--config", r#"{"colour":"red"}"#]);
    assert!(!ok);
    assert!(err.contains("unknown field `colour`"), "{err}");

    // Its test, as its README says: `./test.sh` builds (a no-op now) and
    // runs its scenario file on all three tiers, with `gatewit` on PATH.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_gatewit")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let test = Command::new(crate_dir.join("test.sh"))
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .output()
        .expect("test.sh runs");
    let out = String::from_utf8_lossy(&test.stdout);
    assert!(
        test.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&test.stderr)
    );
    assert!(out.contains("9 of 9 passed"), "{out}");

    let module = dir.join("team_tag.proxy.wasm");
    let (ok, out, err) = gatewit(&["adapt", wasm, "-o", module.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("proxy_on_request_headers"), "{out}");
    let bytes = std::fs::read(&module).unwrap();
    assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "a core module");
}

#[test]
fn bad_names_busy_directories_and_a_missing_sdk_are_clear_errors() {
    let dir = scratch("errors");
    let (ok, _, err) = gatewit(&["new", dir.join("My Plugin").to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("`My Plugin` is not a usable crate name"),
        "{err}"
    );

    let busy = dir.join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), "mine").unwrap();
    let (ok, _, err) = gatewit(&["new", busy.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("already exists and is not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(busy.join("keep.txt")).unwrap(),
        "mine"
    );

    let target = dir.join("fine");
    let (ok, _, err) = gatewit(&["new", target.to_str().unwrap(), "--sdk", "/nonexistent/sdk"]);
    assert!(!ok);
    assert!(
        err.contains("the guest SDK is not at `/nonexistent/sdk`"),
        "{err}"
    );
    assert!(!target.exists(), "nothing is written on error");
}
