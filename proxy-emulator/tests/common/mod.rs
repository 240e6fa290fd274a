//! Test helpers: the fixture plugins (built once per run) and a dead
//! loopback address. The HTTP server and `redis-server` manager are the
//! shared ones of `gatewit-tests`.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const FIXTURES: &[&str] = &[
    "headers",
    "http-call",
    "local-reply",
    "body",
    "looping",
    "redis-raw",
];

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds every fixture plugin for `wasm32-wasip1` once per test run (in its
/// own target directory, so it never waits on the workspace's build lock).
fn build_fixtures() -> Result<PathBuf, String> {
    let root = workspace_root();
    let target_dir = root.join("target").join("proxy-emulator-fixtures");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--target", "wasm32-wasip1", "--target-dir"])
        .arg(&target_dir);
    for f in FIXTURES {
        cmd.args(["-p", &format!("gatewit-emu-fixture-{f}")]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run cargo to build the fixtures: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building the fixture plugins failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(target_dir.join("wasm32-wasip1").join("debug"))
}

/// The bytes of fixture plugin `name` (a directory under `tests/plugins`).
pub fn fixture(name: &str) -> Vec<u8> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = match BUILT.get_or_init(build_fixtures) {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    };
    let file = dir.join(format!(
        "gatewit_emu_fixture_{}.wasm",
        name.replace('-', "_")
    ));
    std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read fixture `{}`: {e}", file.display()))
}

/// A loopback address nothing listens on.
pub fn dead_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    addr
}
