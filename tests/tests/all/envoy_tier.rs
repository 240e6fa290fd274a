//! Tier 3: every example, adapted with `gatewit adapt`, runs the scenario
//! table in a real Envoy 1.40 (one Envoy per test, its own loopback ports and
//! `--base-id`; the [`SHARED`] pairs one between them) in front of a real
//! upstream, with Envoy clusters named
//! exactly as the SDK formats them. Envoy comes from
//! `scripts/install-deps.sh`; without it these tests fail, naming the script.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use gatewit_adapter::Profile;
use gatewit_envoy_harness::{EnvoyGateway, EnvoyOptions, FailurePolicy, client};
use gatewit_host_shim::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_tests::adapted::{Toolchain, adapted_module};
use gatewit_tests::http_server::{Reply, TestServer};
use gatewit_tests::scenarios::token_cluster;
use gatewit_tests::scenarios::{self, Scenario};

/// Runs scenario `name` in Envoy with the plugin built by `toolchain`.
fn run(name: &str, toolchain: Toolchain) -> Result<()> {
    let scenario: Scenario = scenarios::by_name(name)?;
    let module = adapted_module(scenario.plugin, toolchain, Profile::Envoy)?;
    if toolchain == Toolchain::Wasip2
        && let Some(group) = SHARED.iter().find(|g| g.contains(&name))
    {
        return scenario.run(|_component, setup| shared::gateway(group, name, &module, setup));
    }
    scenario.run(|_component, setup| {
        Ok(Box::new(EnvoyGateway::start(&module, setup)?) as Box<dyn Gateway>)
    })
}

/// Scenarios that differ only in the plugin's configuration and share one
/// Envoy when their tests overlap: V8 compiles the JavaScript and Python
/// modules (12–18 MB) in 10–20 s of CPU at every start.
const SHARED: &[&[&str]] = &[
    &["my-plugin-js-adds-header", "my-plugin-js-mock"],
    &["my-plugin-py-adds-header", "my-plugin-py-mock"],
];

fn run_wasip2(name: &str) -> Result<()> {
    run(name, Toolchain::Wasip2)
}

gatewit_tests::scenario_tests!(run_wasip2, stock_envoy);

/// The wasip1 + preview1-adapter build of the same examples behaves the same
/// in Envoy.
#[test]
fn wasip1_builds_pass_the_same_scenarios() -> Result<()> {
    for name in [
        "my-plugin-adds-header",
        "my-plugin-mock",
        "http-call-ip",
        "body-rewrite-streamed-replace",
    ] {
        run(name, Toolchain::Wasip1Adapted).with_context(|| format!("wasip1 build, `{name}`"))?;
    }
    Ok(())
}

/// `http-call` (service source `ip`) in Envoy, its token cluster leading
/// to `token_service`.
fn http_call_in_envoy(token_service: &TestServer) -> Result<EnvoyGateway> {
    let mut setup = GatewaySetup {
        plugin_config: scenarios::http_call_config("ip"),
        ..GatewaySetup::default()
    };
    setup.clusters.http.insert(
        token_cluster("ip", "token", "default"),
        token_service.addr(),
    );
    let module = adapted_module("http-call", Toolchain::Wasip2, Profile::Envoy)?;
    EnvoyGateway::start(&module, &setup)
}

/// A token service slower than the SDK's default 500 ms timeout: Envoy ends
/// the call at ~500 ms and the plugin answers 500 `http call failed` — well
/// before the token service would have answered.
#[test]
fn slow_token_service_times_out_at_500_ms() -> Result<()> {
    let server = TestServer::always(
        Reply::new(200, "late")
            .header("x-auth-token", "late")
            .delay(Duration::from_secs(4)),
    )?;
    let mut gw = http_call_in_envoy(&server)?;
    let started = Instant::now();
    let ex = gw.send(
        &HttpRequest::get("example.com", "/api"),
        &UpstreamResponse::default(),
    )?;
    let took = started.elapsed();
    ensure!(
        ex.response.status == 500 && ex.body_text() == "http call failed",
        "{ex:?}"
    );
    ensure!(
        ex.upstream.is_none(),
        "the request reached the upstream: {ex:?}"
    );
    ensure!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(3_000),
        "the call ended after {took:?}, not at the 500 ms timeout"
    );
    Ok(())
}

/// Bad plugin configuration through Envoy: Envoy rejects the configuration
/// and the plugin's reason is in Envoy's log.
#[test]
fn bad_config_is_rejected_with_the_reason_in_envoys_log() -> Result<()> {
    gatewit_tests::tier_tests::assert_config_errors_rejected(|case| {
        let module = adapted_module(case.plugin, Toolchain::Wasip2, Profile::Envoy)?;
        let setup = GatewaySetup {
            plugin_config: case.config.clone(),
            ..GatewaySetup::default()
        };
        EnvoyGateway::start(&module, &setup)
    })
}

/// `redis-demo` adapted with `--profile envoy` in a stock Envoy: the plugin
/// gets the clear "not supported by this host" error at start (logged by
/// Envoy) and every request gets the plugin's error reply; nothing hangs.
#[test]
fn redis_demo_in_stock_envoy_gets_the_plugins_error_reply() -> Result<()> {
    let module = adapted_module("redis-demo", Toolchain::Wasip2, Profile::Envoy)?;
    let setup = GatewaySetup {
        plugin_config: scenarios::redis_demo_config(10),
        ..GatewaySetup::default()
    };
    let mut gw = EnvoyGateway::start(&module, &setup)?;
    for _ in 0..2 {
        let ex = gw.send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )?;
        ensure!(
            ex.upstream.is_none(),
            "request reached the upstream: {ex:?}"
        );
        ensure!(
            ex.response.status == 430 && ex.body_text() == "Error while calling redis",
            "{ex:?}"
        );
    }
    let log = gw.envoy().log();
    ensure!(
        log.contains("not supported by this host"),
        "envoy's log does not say why:\n{}",
        gw.envoy().relevant_log_lines()
    );
    Ok(())
}

/// A request without `:authority` never reaches a plugin in Envoy: HTTP/1.1
/// without `Host` is refused with 400, HTTP/1.0 (where `Host` is optional)
/// with 426, so Go's "no authority: skip the plugin" cannot arise there.
#[test]
fn requests_without_authority_never_reach_the_plugin() -> Result<()> {
    use std::io::{Read, Write};
    let module = adapted_module("raw-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let gw = EnvoyGateway::start(&module, &GatewaySetup::default())?;
    let plugin_lines = || gw.plugin_logs().len();
    let before = plugin_lines();
    for (request, status) in [
        (&b"GET / HTTP/1.1\r\nconnection: close\r\n\r\n"[..], "400"),
        (&b"GET / HTTP/1.0\r\n\r\n"[..], "426"),
    ] {
        let mut tcp = std::net::TcpStream::connect(gw.envoy().listener_addr())?;
        tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
        tcp.write_all(request)?;
        let mut answer = Vec::new();
        tcp.read_to_end(&mut answer)?;
        let answer = String::from_utf8_lossy(&answer);
        ensure!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{answer}"
        );
    }
    ensure!(
        gw.upstream().requests().is_empty(),
        "a request without authority reached the upstream"
    );
    ensure!(
        plugin_lines() == before,
        "the plugin ran:\n{}",
        gw.envoy().relevant_log_lines()
    );
    Ok(())
}

/// The Higress-only gateway functions on a stock Envoy (`--profile envoy`
/// leaves their hostcalls out, or the module would not load): each answers
/// `unimplemented`, and the request goes on.
#[test]
fn higress_gateway_functions_are_unimplemented_on_stock_envoy() -> Result<()> {
    let module = adapted_module("sdk-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = EnvoyGateway::start(&module, &GatewaySetup::default())?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/hosts"),
        &UpstreamResponse::default(),
    )?;
    for (name, value) in [
        ("x-upstream-hosts", "error: unimplemented"),
        ("x-override", "no host"),
        ("x-override-bad", "unimplemented"),
    ] {
        ensure!(ex.upstream_header(name) == Some(value), "{name}: {ex:?}");
    }
    Ok(())
}

/// Several requests wait on their token calls in one Envoy worker at the
/// same time: the token service answers only once all of them have asked
/// (each with its own token), so the plugin must hold every request in its
/// own context and give each the answer to its own call.
#[test]
fn concurrent_requests_each_get_their_own_call_answer() -> Result<()> {
    const N: usize = 4;
    // The gate: token requests wait until N have arrived (or 400 ms, below
    // the SDK's 500 ms call timeout), then each gets a distinct token.
    let gate = Arc::new((Mutex::new(0usize), Condvar::new()));
    let all_arrived = Arc::new(AtomicBool::new(false));
    let server = {
        let (gate, all_arrived) = (gate.clone(), all_arrived.clone());
        TestServer::start(move |_| {
            let (count, cv) = &*gate;
            let Ok(mut n) = count.lock() else {
                return Reply::new(500, "poisoned");
            };
            *n += 1;
            let token = format!("t{}", *n);
            cv.notify_all();
            let deadline = Instant::now() + Duration::from_millis(400);
            while *n < N {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Reply::new(200, "").header("x-auth-token", &token);
                }
                match cv.wait_timeout(n, left) {
                    Ok((guard, _)) => n = guard,
                    Err(_) => return Reply::new(500, "poisoned"),
                }
            }
            all_arrived.store(true, Ordering::SeqCst);
            Reply::new(200, "").header("x-auth-token", &token)
        })?
    };
    let gw = http_call_in_envoy(&server)?;
    let addr = gw.envoy().listener_addr();
    let clients: Vec<_> = (0..N)
        .map(|i| {
            std::thread::spawn(move || {
                let request = HttpRequest::get("example.com", &format!("/r{i}"));
                client::send(addr, &request, Duration::from_secs(10))
            })
        })
        .collect();
    for client in clients {
        let response = client
            .join()
            .map_err(|_| anyhow::anyhow!("client thread panicked"))??;
        ensure!(response.status == 200, "{response:?}");
    }
    ensure!(
        all_arrived.load(Ordering::SeqCst),
        "the {N} token calls were never in flight together:\n{}",
        gw.envoy().relevant_log_lines()
    );
    let mut seen: Vec<(String, Vec<String>)> = gw
        .upstream()
        .requests()
        .into_iter()
        .map(|r| {
            let tokens = r
                .headers
                .iter()
                .filter(|(k, _)| k == "x-auth-token")
                .map(|(_, v)| v.clone())
                .collect();
            (r.path, tokens)
        })
        .collect();
    seen.sort();
    let mut tokens: Vec<String> = seen.iter().flat_map(|(_, t)| t.clone()).collect();
    tokens.sort();
    let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    ensure!(paths == ["/r0", "/r1", "/r2", "/r3"], "{seen:?}");
    ensure!(
        tokens == ["t1", "t2", "t3", "t4"],
        "each request one token of its own: {seen:?}"
    );
    Ok(())
}

/// Without `allow_on_headers_stop_iteration` (the setup's
/// `body_during_paused_headers` off) stock Envoy holds the body callbacks
/// while the request headers are paused: the body phase that makes the
/// route call never runs, nothing reaches the upstream and the client gives
/// up. The scenarios (flag on) show the same module rerouting.
#[test]
fn route_call_needs_allow_on_headers_stop_iteration() -> Result<()> {
    let module = adapted_module("route-call", Toolchain::Wasip2, Profile::Envoy)?;
    let setup = GatewaySetup {
        plugin_config: scenarios::route_call_config(),
        ..GatewaySetup::default()
    };
    let options = EnvoyOptions {
        request_timeout: Duration::from_secs(2),
        ..EnvoyOptions::default()
    };
    let mut gw = EnvoyGateway::start_with(&module, &setup, &options)?;
    let outcome = gw.send(
        &scenarios::ask("anyone?"),
        &scenarios::upstream_json(200, &[r#"{"answer":"no"}"#]),
    );
    let seen = gw.upstream().requests();
    ensure!(seen.is_empty(), "the upstream got the request: {seen:?}");
    match outcome {
        Err(err) => ensure!(
            format!("{err:#}").contains("timed out"),
            "unexpected failure: {err:#}"
        ),
        Ok(ex) => anyhow::bail!("the paused request completed: {ex:?}"),
    }
    ensure!(
        !gw.envoy().log().contains("route call start"),
        "the route call was made:\n{}",
        gw.envoy().relevant_log_lines()
    );
    Ok(())
}

/// Envoy with the raw fixture, and one request with `x-action: <action>`
/// that must get an answer (the harness allows 20 s: a hang fails), stop in
/// the plugin, and fail.
fn raw_fixture_fails(action: &str) -> Result<EnvoyGateway> {
    let module = adapted_module("raw-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = EnvoyGateway::start(&module, &GatewaySetup::default())?;
    let request = HttpRequest::get("example.com", "/").header("x-action", action);
    let ex = gw
        .send(&request, &UpstreamResponse::default())
        .with_context(|| format!("the `{action}` request got no answer: the worker hung"))?;
    ensure!(
        ex.upstream.is_none(),
        "the `{action}` request went on: {ex:?}"
    );
    ensure!(ex.response.status >= 500, "{ex:?}");
    Ok(gw)
}

/// A plugin stuck in an endless loop (raw fixture, `x-action: loop`) used to
/// hang the Envoy worker for good. The step budget the adapter builds in
/// stops it: the request gets an answer (the trap fails it), Envoy's log
/// names the callback that ran away, and the worker answers the next
/// request. (The harness gives each exchange 20 s: a hang fails the test.)
#[test]
fn runaway_loop_is_stopped_and_the_worker_keeps_answering() -> Result<()> {
    let mut gw = raw_fixture_fails("loop")?;
    let log = gw.envoy().log();
    ensure!(
        log.contains("gatewit: `proxy_on_request_headers` ran out of the plugin's step budget"),
        "envoy's log does not name the runaway callback:\n{}",
        gw.envoy().relevant_log_lines()
    );
    // The same worker (`--concurrency 1`) still answers. Envoy fails the
    // trapped VM closed, so the answer is Envoy's own error reply.
    let next = gw
        .send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )
        .context("the worker did not answer after the runaway request")?;
    ensure!(next.response.status > 0, "{next:?}");
    Ok(())
}

/// A plugin that hoards memory (`x-action: oom`, 1 MiB a step) meets the
/// adapter's memory cap (512 MiB by default): its allocation fails inside
/// the plugin, which aborts the request, instead of growing Envoy until the
/// machine runs out.
#[test]
fn memory_hog_hits_the_cap() -> Result<()> {
    let gw = raw_fixture_fails("oom")?;
    let rss_kib = std::fs::read_to_string(format!("/proc/{}/status", gw.envoy().pid()))?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .context("no VmHWM for Envoy")?;
    // Measured here: ~600 MiB with the 512 MiB cap (Envoy itself ~90 MiB);
    // 1.1 GiB without it, where V8's own ceiling stopped the plugin.
    ensure!(
        rss_kib < 800 * 1024,
        "Envoy's peak RSS reached {} MiB",
        rss_kib / 1024
    );
    Ok(())
}

/// A plugin panic used to kill the VM: that request 503, then every later
/// request 503 until Envoy restarted. Now (`sdk-fixture`, the adapter's
/// default `on-panic: reply`) the panicking request is answered 500 and the
/// same VM serves the next 100 requests (its request count goes on), a
/// panic in the response phase too; Envoy's log carries the plugin's panic
/// message and the glue's line naming the callback.
#[test]
fn a_panic_costs_one_request_and_the_vm_serves_on() -> Result<()> {
    let module = adapted_module("sdk-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = EnvoyGateway::start(&module, &GatewaySetup::default())?;
    gatewit_tests::panics::a_panic_costs_one_request(&mut gw, 100)?;
    let log = gw.envoy().log();
    for line in [
        ": sdk-fixture panics on `/boom`",
        "gatewit: the plugin panicked in `proxy_on_request_headers`; its request, if any, is answered 500",
        "gatewit: the plugin panicked in `proxy_on_response_headers`",
    ] {
        ensure!(
            log.contains(line),
            "envoy's log lacks `{line}`:\n{}",
            gw.envoy().relevant_log_lines()
        );
    }
    Ok(())
}

/// What each Envoy failure policy does with the requests after a gatewit
/// plugin's VM is lost (raw fixture, `x-action: loop`: the step budget's
/// trap, which is not recoverable like a panic). Documented in the README
/// ("When a plugin fails"); `FAIL_RELOAD` is what gatewit's generated
/// configurations use.
#[test]
fn failure_policies_after_a_lost_vm() -> Result<()> {
    let module = adapted_module("raw-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let up = UpstreamResponse::default();
    let plain = HttpRequest::get("example.com", "/");
    let by_plugin = |ex: &gatewit_host_shim::exchange::Exchange| {
        ex.response.status == 200 && ex.upstream_header("x-raw") == Some("yes")
    };
    for policy in [
        FailurePolicy::FailClosed,
        FailurePolicy::FailOpen,
        FailurePolicy::FailReload,
    ] {
        let options = EnvoyOptions {
            failure_policy: policy,
            ..EnvoyOptions::default()
        };
        let mut gw = EnvoyGateway::start_with(&module, &GatewaySetup::default(), &options)?;
        let ex = gw.send(&plain, &up)?;
        ensure!(by_plugin(&ex), "{policy:?}, before: {ex:?}");
        let ex = gw.send(&plain.clone().header("x-action", "loop"), &up)?;
        ensure!(ex.response.status == 503, "{policy:?}, the trap: {ex:?}");
        let ex = gw.send(&plain, &up)?;
        match policy {
            FailurePolicy::FailClosed => {
                ensure!(ex.response.status == 503, "{policy:?}, after: {ex:?}");
                let again = gw.send(&plain, &up)?;
                ensure!(again.response.status == 503, "{policy:?}: {again:?}");
            }
            FailurePolicy::FailOpen => ensure!(
                ex.response.status == 200 && ex.upstream_header("x-raw").is_none(),
                "{policy:?}: the request should pass without the plugin: {ex:?}"
            ),
            FailurePolicy::FailReload => {
                // 503 while Envoy backs off, then a fresh VM serves.
                let deadline = Instant::now() + Duration::from_secs(10);
                let mut last = ex;
                while !by_plugin(&last) {
                    ensure!(
                        Instant::now() < deadline && last.response.status == 503,
                        "{policy:?}: no fresh VM within 10 s: {last:?}"
                    );
                    std::thread::sleep(Duration::from_millis(100));
                    last = gw.send(&plain, &up)?;
                }
            }
        }
    }
    Ok(())
}

/// Malformed requests never break the plugin or the gateway: a header value
/// that is not UTF-8 (Envoy passes obs-text on) reaches the plugin repaired
/// (`?` per bad byte; a Rust plugin would otherwise hold an invalid
/// `String`), oversized headers are refused by Envoy before the plugin, and
/// a body larger than Envoy's buffer limit is refused while the plugin
/// buffers it. After each, the same worker serves a normal request through
/// the plugin.
#[test]
fn malformed_requests_leave_the_gateway_serving() -> Result<()> {
    use std::io::{Read, Write};
    let module = adapted_module("raw-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = EnvoyGateway::start(&module, &GatewaySetup::default())?;
    let up = UpstreamResponse::default();
    let still_serving = |gw: &mut EnvoyGateway, after: &str| -> Result<()> {
        let ex = gw.send(&HttpRequest::get("example.com", "/"), &up)?;
        ensure!(
            ex.response.status == 200 && ex.upstream_header("x-raw") == Some("yes"),
            "after {after}: {ex:?}"
        );
        Ok(())
    };

    let mut tcp = std::net::TcpStream::connect(gw.envoy().listener_addr())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    tcp.write_all(
        b"GET / HTTP/1.1\r\nhost: example.com\r\nx-action: caf\xe9 \xff\r\nconnection: close\r\n\r\n",
    )?;
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    ensure!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let log = gw.envoy().log();
    ensure!(
        log.contains("action `caf? ?`"),
        "the plugin did not see the repaired value:\n{}",
        gw.envoy().relevant_log_lines()
    );
    still_serving(&mut gw, "a header that is not UTF-8")?;

    let big = HttpRequest::get("example.com", "/").header("x-big", &"a".repeat(100 * 1024));
    let ex = gw.send(&big, &up)?;
    ensure!(
        ex.response.status == 431 && ex.upstream.is_none(),
        "100 KiB of headers: {ex:?}"
    );
    still_serving(&mut gw, "oversized headers")?;

    let huge =
        HttpRequest::post("example.com", "/", vec![b'x'; 8 << 20]).header("x-action", "buffer");
    let ex = gw.send(&huge, &up)?;
    ensure!(
        ex.response.status == 413 && ex.upstream.is_none(),
        "an 8 MiB body the plugin buffers: {ex:?}"
    );
    still_serving(&mut gw, "a body over the buffer limit")?;
    Ok(())
}

/// User attributes written to the access log, and the request id in log
/// lines, as Higress's Go wrapper writes them: Higress's access-log format puts `%FILTER_STATE(wasm.ai_log:
/// PLAIN)%` between quotes, and the line stays valid JSON whose `ai_log`
/// string holds the attributes of both phases, merged (`sdk-fixture`,
/// `/attrs`).
#[test]
fn access_log_attributes_keep_the_log_line_valid_json() -> Result<()> {
    let module = adapted_module("sdk-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let options = EnvoyOptions {
        access_log_format: Some(
            r#"{"ai_log":"%FILTER_STATE(wasm.ai_log:PLAIN)%","code":%RESPONSE_CODE%,"details":"%RESPONSE_CODE_DETAILS%"}"#
                .into(),
        ),
        ..EnvoyOptions::default()
    };
    let mut gw = EnvoyGateway::start_with(&module, &GatewaySetup::default(), &options)?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/attrs"),
        &UpstreamResponse::default(),
    )?;
    ensure!(ex.response.status == 200, "{ex:?}");
    let lines = gw.access_log(1)?;
    let line = lines.first().context("no access-log line")?;
    let parsed: serde_json::Value = serde_json::from_str(line)
        .with_context(|| format!("the access-log line is not JSON: {line}"))?;
    let ai_log = parsed["ai_log"]
        .as_str()
        .context("`ai_log` is not a string")?;
    let attributes: serde_json::Value = serde_json::from_str(ai_log)?;
    ensure!(
        attributes
            == serde_json::json!({"model": "qwen-<max>", "prompt": "say \"hi\"\n", "tokens": 7})
            && parsed["code"] == 200,
        "{line}"
    );
    // A local reply's details reach the access log (Go's
    // `SendHttpResponseWithDetail`).
    let denied = gw.send(
        &HttpRequest::get("example.com", "/deny"),
        &UpstreamResponse::default(),
    )?;
    ensure!(denied.response.status == 403, "{denied:?}");
    let lines = gw.access_log(2)?;
    let second: serde_json::Value =
        serde_json::from_str(lines.get(1).context("one access-log line")?)?;
    ensure!(
        second["details"] == "sdk-fixture.deny" && second["code"] == 403,
        "{second}"
    );
    // Log correlation as in Go: `[plugin] [plugin id or nil] [x-request-id]`
    // in every phase, with the id Envoy gave the request (no Go plugin
    // wrote `x_request_id` here, and Envoy has no such attribute).
    let id = ex
        .upstream_header("x-request-id")
        .context("envoy sent no x-request-id upstream")?;
    let log = gw.envoy().log();
    for phase in ["request", "response"] {
        let line = format!("[sdk-fixture] [nil] [{id}] attributes written in the {phase} phase");
        ensure!(
            log.contains(&line),
            "no `{line}` in:\n{}",
            gw.envoy().relevant_log_lines()
        );
    }
    Ok(())
}

/// One Envoy for a group of [`SHARED`] scenarios.
mod shared {
    use std::path::Path;
    use std::sync::Mutex;

    use anyhow::{Result, ensure};
    use gatewit_envoy_harness::{EnvoyGateway, EnvoyOptions};
    use gatewit_host_shim::exchange::{
        Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse,
    };
    use gatewit_tests::scenarios;

    /// Gateways started for a group's scenarios whose tests have not yet
    /// asked for them: scenario name → (its configuration, its gateway).
    static WAITING: Mutex<Vec<(&str, serde_json::Value, EnvoyGateway)>> = Mutex::new(Vec::new());

    /// The gateway for scenario `name` of `group` with `setup`: the one
    /// waiting for it if another test of the group started their Envoy and
    /// is still running, else a new Envoy with a listener for every
    /// scenario of the group.
    pub(super) fn gateway(
        group: &'static [&'static str],
        name: &str,
        module: &Path,
        setup: &GatewaySetup,
    ) -> Result<Box<dyn Gateway>> {
        // Held while Envoy starts, so the group's other test waits for this
        // Envoy instead of compiling the module in one of its own.
        let mut waiting = WAITING.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = waiting.iter().position(|(n, ..)| *n == name) {
            let (_, config, gateway) = waiting.swap_remove(i);
            ensure!(
                config == setup.plugin_config,
                "scenario `{name}`: its shared listener has another configuration"
            );
            return Ok(Box::new(gateway));
        }
        let mut setups = Vec::new();
        for &member in group {
            if member == name {
                setups.push(setup.clone());
                continue;
            }
            let prepared = scenarios::by_name(member)?.prepare()?;
            ensure!(
                prepared.http.is_empty() && prepared.redis.is_empty(),
                "scenario `{member}` has backends of its own, so it cannot share an envoy"
            );
            setups.push(prepared.setup);
        }
        let gateways = EnvoyGateway::start_many(module, &setups, &EnvoyOptions::default())?;
        let mut mine = None;
        for ((&member, setup), gateway) in group.iter().zip(setups).zip(gateways) {
            if member == name {
                mine = Some(gateway);
            } else {
                waiting.push((member, setup.plugin_config, gateway));
            }
        }
        let gateway = mine.ok_or_else(|| anyhow::anyhow!("`{name}` is not in its group"))?;
        Ok(Box::new(Starter { gateway, group }))
    }

    /// The gateway of the test that started its group's Envoy. When that
    /// test ends, the listeners no test has taken yet go too, so Envoy
    /// stops once the tests holding the others end (a later test of the
    /// group starts its own).
    struct Starter {
        gateway: EnvoyGateway,
        group: &'static [&'static str],
    }

    impl Drop for Starter {
        fn drop(&mut self) {
            let mut waiting = WAITING.lock().unwrap_or_else(|p| p.into_inner());
            waiting.retain(|(n, ..)| !self.group.contains(n));
        }
    }

    impl Gateway for Starter {
        fn tier(&self) -> &'static str {
            self.gateway.tier()
        }

        fn send(&mut self, request: &HttpRequest, upstream: &UpstreamResponse) -> Result<Exchange> {
            self.gateway.send(request, upstream)
        }

        fn plugin_logs(&self) -> Vec<String> {
            self.gateway.plugin_logs()
        }
    }
}
