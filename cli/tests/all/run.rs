//! `gatewit run` as a plugin author uses it: the upstream's answer, real
//! and canned clusters for the plugin's calls, and what it prints.

use crate::common;

use common::gatewit;
use gatewit_envoy_harness::{RecordingUpstream, Reply};
use gatewit_host_shim::exchange::UpstreamResponse;
use gatewit_test_programs::{COMPONENT_TARGET, build};

const HTTP_CALL_CONFIG: &str = r#"{"tokenHeader":"x-auth-token","requestPath":"/token","serviceSource":"ip","serviceName":"token","servicePort":8080}"#;
const TOKEN_CLUSTER: &str = "outbound|8080||token.static";

fn plugin(name: &str) -> String {
    build(name, COMPONENT_TARGET)
        .expect("the example builds")
        .display()
        .to_string()
}

#[test]
fn run_shows_the_upstream_answer_and_what_it_received() {
    let (ok, out, err) = gatewit(&[
        "run",
        &plugin("my-plugin"),
        "--method",
        "POST",
        "--body",
        "hi",
        "--upstream-status",
        "201",
        "--upstream-header",
        "x-up: 1",
        "--upstream-body",
        "created",
    ]);
    assert!(ok, "{err}");
    for line in [
        "upstream got POST / [host: example.com, hello: world]",
        r#"upstream body "hi""#,
        r#"response 201 "created""#,
        "response headers [x-up: 1]",
    ] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
}

#[test]
fn run_answers_calls_from_a_mock_or_a_real_cluster() {
    let http_call = plugin("http-call");
    let mock = format!("{TOKEN_CLUSTER}=503:down");
    let (ok, out, err) = gatewit(&[
        "run",
        &http_call,
        "--config",
        HTTP_CALL_CONFIG,
        "--mock-http",
        &mock,
        "--path",
        "/api",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains(r#"response 500 "http call failed""#), "{out}");
    assert!(
        out.contains(&format!(
            "call     GET token /token → `{TOKEN_CLUSTER}` (answered 503)"
        )),
        "{out}"
    );

    // A real token service: its header reaches the upstream.
    let token = RecordingUpstream::start().unwrap();
    token.set_reply(Reply::from(UpstreamResponse {
        status: 200,
        headers: vec![("x-auth-token".into(), "secret-1".into())],
        body_chunks: vec![b"ok".to_vec()],
    }));
    let cluster = format!("{TOKEN_CLUSTER}={}", token.addr());
    let (ok, out, err) = gatewit(&[
        "run",
        &http_call,
        "--config",
        HTTP_CALL_CONFIG,
        "--cluster",
        &cluster,
        "--path",
        "/api",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("upstream got GET /api [host: example.com, x-auth-token: secret-1]"),
        "{out}"
    );
    assert_eq!(token.requests().len(), 1, "the token service was called");
    assert_eq!(token.requests()[0].path, "/token");
}

#[test]
fn run_names_the_mistakes_a_user_makes() {
    // The adapted module where the component belongs.
    let dir = std::env::temp_dir().join(format!("gatewit-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join("my_plugin.proxy.wasm");
    let (ok, _, err) = gatewit(&[
        "adapt",
        &plugin("my-plugin"),
        "-o",
        module.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = gatewit(&["run", module.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("is a core wasm module, not a component"),
        "{err}"
    );
    assert!(
        err.contains("not the module `gatewit adapt` makes"),
        "{err}"
    );

    let (ok, _, err) = gatewit(&["run", &plugin("my-plugin"), "--mock-http", "x=abc"]);
    assert!(!ok);
    assert!(err.contains("`abc` is not an HTTP status"), "{err}");
    let (ok, _, err) = gatewit(&["run", &plugin("my-plugin"), "--cluster", "x=nowhere"]);
    assert!(!ok);
    assert!(err.contains("`nowhere` is not an IP:PORT address"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
