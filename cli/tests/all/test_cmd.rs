//! `gatewit test` as a plugin author runs it: every example's scenario file
//! passes on all three tiers (host shim, emulator, real Envoy 1.40), and a
//! wrong expectation fails with a readable diff and exit code 1.

use crate::common;

use std::path::{Path, PathBuf};

use common::gatewit;
use gatewit_test_programs::{COMPONENT_TARGET, build};

/// The example's component and its scenario file (`scenarios.json`, or
/// `scenarios.yaml`).
fn example(name: &str) -> (PathBuf, PathBuf) {
    let component = build(name, COMPONENT_TARGET).expect("the example builds");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    let json = dir.join("scenarios.json");
    let scenarios = if json.exists() {
        json
    } else {
        dir.join("scenarios.yaml")
    };
    (component, scenarios)
}

#[test]
fn the_examples_scenario_files_pass_on_all_tiers() {
    // my-plugin-js has the same file; its tiers are exercised by the
    // scenario table (a 12 MB module is 40 s of compiling per tier).
    // hello-world's file is YAML; body-rewrite's sends bodies in chunks;
    // http-call's stands up a mock token service; my-plugin-composed is two
    // components joined by `wac plug`.
    for name in [
        "my-plugin",
        "hello-world",
        "body-rewrite",
        "http-call",
        "route-call",
        "queue-counter",
        "ip-acl",
        "my-plugin-composed",
    ] {
        let (component, scenarios) = example(name);
        let (ok, out, err) = gatewit(&[
            "test",
            component.to_str().unwrap(),
            scenarios.to_str().unwrap(),
            "--tier",
            "all",
        ]);
        assert!(ok, "`{name}`:\n{out}\n{err}");
        for tier in ["shim", "emulator", "envoy"] {
            assert!(
                out.contains(&format!("ok   {tier:<9}")),
                "`{name}`, {tier}:\n{out}"
            );
        }
        assert!(!out.contains("FAIL"), "{out}");
        assert!(!out.contains("tiers disagree"), "{out}");
    }
}

#[test]
fn redis_cases_run_against_a_redis_server_the_file_asks_for() {
    // Stock Envoy has no Redis: the file limits its cases to the shim and
    // the emulator, which speak to a real `redis-server` (Higress profile).
    let (component, scenarios) = example("redis-demo");
    let (ok, out, err) = gatewit(&[
        "test",
        component.to_str().unwrap(),
        scenarios.to_str().unwrap(),
        "--tier",
        "all",
        "--profile",
        "higress",
    ]);
    assert!(ok, "{out}\n{err}");
    for line in [
        "ok   shim      one request a minute",
        "ok   emulator  one request a minute",
        "ok   shim      redis down",
        "ok   emulator  redis down",
        "skip envoy     redis down: 430, and the reason in the log (runs on shim, emulator)",
        "4 of 4 passed",
    ] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
}

#[test]
fn a_wrong_expectation_fails_with_a_diff_and_exit_code_1() {
    let (component, _) = example("my-plugin");
    let file = std::env::temp_dir().join(format!("gatewit-test-wrong-{}.json", std::process::id()));
    std::fs::write(
        &file,
        r#"{"cases": [{"name": "wrong on purpose", "config": {"mockEnable": true},
            "requests": [{"request": {"path": "/x", "headers": [["x-a", "1"]]},
                          "expect": {"status": 404, "body": "nope", "headers": {"x-b": "2"},
                                     "upstream": {"headers": {"hello": "world"}},
                                     "logs": ["no such line"]}}]}]}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatewit"))
        .args(["test", component.to_str().unwrap(), file.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for line in [
        "FAIL shim      wrong on purpose",
        "status: expected 404, got 200",
        r#"body: expected "nope", got "hello world""#,
        r#"response header `x-b`: expected "2", got None"#,
        "upstream: expected a request, got none (a local reply)",
        r#"log: expected a line containing "no such line", got none"#,
        "0 of 1 passed",
    ] {
        assert!(stdout.contains(line), "`{line}` in:\n{stdout}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: 1 failed"), "{stderr}");

    // A file that is not a scenario file names the problem.
    std::fs::write(
        &file,
        r#"{"cases": [{"name": "x", "requests": [], "colour": 1}]}"#,
    )
    .unwrap();
    let (ok, _, err) = gatewit(&["test", component.to_str().unwrap(), file.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("is not a valid scenario file"), "{err}");
    assert!(err.contains("unknown field `colour`"), "{err}");
    let _ = std::fs::remove_file(&file);
}
