//! `gatewit adapt` as a user runs it: errors are one clear line, no panic.

use crate::common;

use common::gatewit;

#[test]
fn garbage_input_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("gatewit-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("garbage.wasm");
    std::fs::write(&input, b"not wasm at all").unwrap();
    let output = dir.join("out.wasm");
    let (ok, _, err) = gatewit(&[
        "adapt",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.starts_with("error: cannot adapt"), "{err}");
    assert!(err.contains("not a valid WebAssembly component"), "{err}");
    assert!(!output.exists());
}

#[test]
fn missing_input_names_the_file() {
    let (ok, _, err) = gatewit(&["adapt", "/nonexistent/plugin.wasm", "-o", "/tmp/x.wasm"]);
    assert!(!ok);
    assert!(
        err.contains("cannot read `/nonexistent/plugin.wasm`"),
        "{err}"
    );
}

#[test]
fn unknown_profile_is_rejected() {
    let (ok, _, err) = gatewit(&["adapt", "a.wasm", "-o", "b.wasm", "--profile", "nginx"]);
    assert!(!ok);
    assert!(err.contains("nginx"), "{err}");
}

/// An endless input (`/dev/zero`) fails at the size cap, at once, instead of
/// reading until memory runs out.
#[test]
fn endless_input_stops_at_the_size_cap() {
    let (ok, _, err) = gatewit(&["adapt", "/dev/zero", "-o", "/tmp/gatewit-never.wasm"]);
    assert!(!ok);
    assert!(err.contains("`/dev/zero` is larger than 256 MiB"), "{err}");
    assert!(!std::path::Path::new("/tmp/gatewit-never.wasm").exists());
}
