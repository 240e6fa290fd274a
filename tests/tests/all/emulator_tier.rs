//! Tier 2: every example, adapted to a proxy-wasm module by `gatewit adapt`,
//! runs the scenario table under the proxy-wasm emulator (wasmtime's core
//! API playing Envoy, with real loopback HTTP servers and a real Redis). The
//! same table runs on the host shim (`shim_examples.rs`) and in real Envoy
//! (`envoy_tier.rs`); the expectations are shared, so the tiers agree.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use gatewit_adapter::Profile;
use gatewit_host_shim::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_proxy_emulator::{Emulator, EmulatorOptions, HostProfile, LogLevel};
use gatewit_tests::adapted::{Toolchain, emulator_module, profile_for};
use gatewit_tests::scenarios::{self, Scenario};
use serde_json::json;

/// The adapted `module` under the emulator with `profile`'s hostcalls.
pub(crate) fn emulator(module: &Path, setup: &GatewaySetup, profile: Profile) -> Result<Emulator> {
    let bytes = std::fs::read(module).with_context(|| format!("reading `{}`", module.display()))?;
    let options = EmulatorOptions {
        profile: match profile {
            Profile::Envoy => HostProfile::Envoy,
            Profile::Higress => HostProfile::Higress,
        },
        ..EmulatorOptions::default()
    };
    Emulator::with_options(&bytes, setup, options)
}

/// Runs scenario `name` on the emulator with the plugin built by `toolchain`.
fn run(name: &str, toolchain: Toolchain) -> Result<()> {
    let scenario: Scenario = scenarios::by_name(name)?;
    let profile = scenario.profile;
    let module = emulator_module(scenario.plugin, toolchain, profile)?;
    scenario.run(|_component, setup| {
        Ok(Box::new(emulator(&module, setup, profile)?) as Box<dyn Gateway>)
    })
}

fn run_wasip2(name: &str) -> Result<()> {
    run(name, Toolchain::Wasip2)
}

gatewit_tests::scenario_tests!(run_wasip2);

/// The same examples built the other way (wasip1 + the preview1 component
/// adapter) adapt and pass the same scenarios.
#[test]
fn wasip1_builds_pass_the_same_scenarios() -> Result<()> {
    for name in [
        "hello-world-get",
        "my-plugin-adds-header",
        "my-plugin-mock",
        "http-call-ip",
        "http-call-token-service-fails",
        "body-rewrite-streamed-replace",
        "redis-demo-rate-limit",
    ] {
        run(name, Toolchain::Wasip1Adapted).with_context(|| format!("wasip1 build, `{name}`"))?;
    }
    Ok(())
}

/// Every configuration error of the examples fails configuration on the
/// emulator too, with the plugin's own message.
#[test]
fn config_errors_are_rejected_with_the_plugins_message() -> Result<()> {
    gatewit_tests::tier_tests::assert_config_errors_rejected(|case| {
        let profile = profile_for(case.plugin);
        let module = emulator_module(case.plugin, Toolchain::Wasip2, profile)?;
        let setup = GatewaySetup {
            plugin_config: case.config.clone(),
            ..GatewaySetup::default()
        };
        emulator(&module, &setup, profile)
    })
}

/// No per-request memory growth: 100,000 requests through an adapted
/// example leave the plugin's linear memory exactly as it was after warm-up,
/// for a Rust plugin, for CPython (componentize-py, linked by the adapter)
/// and for a composition (two components, two memories lowered into one:
/// the plugin's region is counted by its own page count).
#[test]
fn linear_memory_stays_flat_over_100k_requests() -> Result<()> {
    for plugin in ["my-plugin", "my-plugin-py", "my-plugin-composed"] {
        let module = emulator_module(plugin, Toolchain::Wasip2, Profile::Envoy)?;
        let setup = GatewaySetup {
            plugin_config: json!({"mockEnable": false}),
            ..GatewaySetup::default()
        };
        let mut gw = emulator(&module, &setup, Profile::Envoy)?;
        let request = HttpRequest::get("example.com", "/leak").header("user-agent", "leak-test");
        let upstream = UpstreamResponse::default();
        for _ in 0..1_000 {
            gw.send(&request, &upstream)?;
        }
        let warm = gw.memory_bytes();
        let warm_region = gw.plugin_region_pages();
        ensure!(
            warm_region.is_some() == (plugin == "my-plugin-composed"),
            "{plugin}: plugin-region page count export: {warm_region:?}"
        );
        let started = std::time::Instant::now();
        for i in 0..100_000 {
            let ex = gw.send(&request, &upstream)?;
            if i % 25_000 == 0 {
                ensure!(
                    ex.upstream_header("hello") == Some("world"),
                    "{plugin}, request {i}: header missing: {ex:?}"
                );
            }
        }
        let after = gw.memory_bytes();
        let after_region = gw.plugin_region_pages();
        eprintln!(
            "{plugin}: 100,000 requests in {:.1} s, linear memory {warm} → {after} bytes, plugin region {warm_region:?} → {after_region:?} pages",
            started.elapsed().as_secs_f64()
        );
        ensure!(
            after_region == warm_region,
            "{plugin}: the plugin's region grew from {warm_region:?} to {after_region:?} pages over 100,000 requests"
        );
        ensure!(
            after == warm,
            "{plugin}: linear memory grew from {warm} to {after} bytes over 100,000 requests"
        );
    }
    Ok(())
}

/// Under the envoy profile the adapter gives `redis-demo` no Redis: the
/// plugin learns it at start ("not supported by this host") and answers every
/// request with its error reply instead of hanging.
#[test]
fn redis_under_the_envoy_profile_is_a_clear_error() -> Result<()> {
    let module = emulator_module("redis-demo", Toolchain::Wasip2, Profile::Envoy)?;
    let setup = GatewaySetup {
        plugin_config: scenarios::redis_demo_config(10),
        ..GatewaySetup::default()
    };
    let mut gw = emulator(&module, &setup, Profile::Envoy)?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/"),
        &UpstreamResponse::default(),
    )?;
    ensure!(
        ex.upstream.is_none(),
        "request reached the upstream: {ex:?}"
    );
    ensure!(
        ex.response.status == 430,
        "status {}: {ex:?}",
        ex.response.status
    );
    ensure!(
        gw.logs()
            .iter()
            .any(|l| l.message.contains("not supported by this host")),
        "no log line says redis is unsupported: {:?}",
        gw.logs()
    );
    Ok(())
}

/// Envoy answers every data-returning hostcall by calling back into the VM
/// (`malloc`), its most expensive step: the adapter serves all header reads
/// of one callback from one `proxy_get_header_map_pairs`, fetched again only
/// after the plugin changed the map (what a read then sees is checked on
/// every tier by the `raw-fixture-header-reads` scenario).
#[test]
fn header_reads_in_one_callback_share_one_fetch() -> Result<()> {
    let module = emulator_module("raw-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = emulator(&module, &GatewaySetup::default(), Profile::Envoy)?;
    let upstream = UpstreamResponse::default();
    let counts = |gw: &Emulator| {
        (
            gw.hostcall_count("proxy_get_header_map_pairs"),
            gw.hostcall_count("proxy_get_header_map_value"),
            gw.guest_allocations(),
        )
    };

    // One read (`x-action`), then a write: one fetch, one allocation.
    let plain = HttpRequest::get("example.com", "/").header("x-action", "");
    gw.send(&plain, &upstream)?;
    let before = counts(&gw);
    let ex = gw.send(&plain, &upstream)?;
    ensure!(ex.upstream_header("x-raw") == Some("yes"), "{ex:?}");
    let after = counts(&gw);
    ensure!(
        (after.0 - before.0, after.1 - before.1, after.2 - before.2) == (1, 0, 1),
        "one read: (pairs, value, allocations) went from {before:?} to {after:?}"
    );

    // Nine reads: five of the request map (one of them `get-headers`)
    // before any write, one after each of the three writes, and one of the
    // response map, which does not exist yet: five fetches.
    let busy = HttpRequest::get("example.com", "/")
        .header("x-action", "headers")
        .header("x-dup", "first")
        .header("x-dup", "second");
    let before = counts(&gw);
    let ex = gw.send(&busy, &upstream)?;
    ensure!(ex.upstream_header("x-seen").is_some(), "{ex:?}");
    let after = counts(&gw);
    ensure!(
        (after.0 - before.0, after.1 - before.1) == (5, 0),
        "reads around writes: (pairs, value, allocations) went from {before:?} to {after:?}"
    );
    Ok(())
}

/// A stock Envoy module without `allow_on_headers_stop_iteration` (the
/// setup's `body_during_paused_headers` off): the paused request headers
/// hold the body callbacks, the route call is never made, and the emulator
/// reports the request as stuck. With the switch on (the scenarios), the
/// same module reroutes.
#[test]
fn route_call_needs_allow_on_headers_stop_iteration() -> Result<()> {
    let module = emulator_module("route-call", Toolchain::Wasip2, Profile::Envoy)?;
    let mut setup = GatewaySetup {
        plugin_config: scenarios::route_call_config(),
        ..GatewaySetup::default()
    };
    let mut gw = emulator(&module, &setup, Profile::Envoy)?;
    ensure!(!gw.higress_abi() && !gw.body_during_paused_headers());
    let upstream = scenarios::upstream_json(200, &[r#"{"answer":"no"}"#]);
    let err = match gw.send(&scenarios::ask("anyone?"), &upstream) {
        Ok(ex) => anyhow::bail!("the route call went through: {ex:?}"),
        Err(e) => format!("{e:#}"),
    };
    ensure!(err.contains("paused the request headers"), "{err}");
    ensure!(
        !gw.logs()
            .iter()
            .any(|l| l.message.contains("route call start")),
        "{:?}",
        gw.logs()
    );

    setup.body_during_paused_headers = true;
    let mut gw = emulator(&module, &setup, Profile::Envoy)?;
    ensure!(gw.body_during_paused_headers());
    let ex = gw.send(&scenarios::ask("anyone?"), &upstream)?;
    ensure!(
        ex.body_text() == r#"{"answer":"no","question":"anyone?"}"#,
        "{ex:?}"
    );
    ensure!(
        gw.logs()
            .iter()
            .any(|l| l.message.contains("route call end, status: 200")),
        "{:?}",
        gw.logs()
    );
    Ok(())
}

/// A plugin with body methods reads each direction's headers once, in
/// their phase: the request's (whether the body is binary, and the
/// `x-request-id` kept for log lines) in one fetch, the response's only
/// when a body follows. Envoy serves neither map in the body phases.
#[test]
fn body_methods_read_each_header_map_once_in_its_phase() -> Result<()> {
    let module = emulator_module("body-rewrite", Toolchain::Wasip2, Profile::Envoy)?;
    let setup = GatewaySetup {
        plugin_config: scenarios::body_rewrite_config("", ""),
        ..GatewaySetup::default()
    };
    let mut gw = emulator(&module, &setup, Profile::Envoy)?;
    let request = || {
        HttpRequest::post("example.com", "/json", r#"{"a":1}"#)
            .header("content-type", "application/json")
    };
    let with_body = UpstreamResponse {
        body_chunks: vec![b"hello".to_vec()],
        ..UpstreamResponse::default()
    };
    let without_body = UpstreamResponse {
        body_chunks: Vec::new(),
        ..UpstreamResponse::default()
    };
    for (upstream, fetches) in [(&with_body, 2), (&without_body, 1)] {
        gw.send(&request(), upstream)?;
        let before = gw.hostcall_count("proxy_get_header_map_pairs");
        let ex = gw.send(&request(), upstream)?;
        ensure!(
            ex.upstream.as_ref().map(|u| u.body.as_slice())
                == Some(br#"{"a":1,"gateway":"gatewit"}"#),
            "{ex:?}"
        );
        let made = gw.hostcall_count("proxy_get_header_map_pairs") - before;
        ensure!(
            made == fetches,
            "{made} header-map fetches for a response with {} body chunks, not {fetches}",
            upstream.body_chunks.len()
        );
    }
    Ok(())
}

/// A request the plugin's rules do not apply to costs no header read: the
/// request id is kept only for requests whose later phases the plugin runs.
#[test]
fn a_request_the_rules_skip_reads_no_headers() -> Result<()> {
    let module = emulator_module("body-rewrite", Toolchain::Wasip2, Profile::Envoy)?;
    let setup = GatewaySetup {
        plugin_config: json!({"_rules_": [{"_match_route_": ["other-route"], "fieldName": "x"}]}),
        ..GatewaySetup::default()
    };
    let mut gw = emulator(&module, &setup, Profile::Envoy)?;
    let request = HttpRequest::post("example.com", "/json", r#"{"a":1}"#)
        .header("content-type", "application/json");
    gw.send(&request, &UpstreamResponse::default())?;
    let before = gw.hostcall_count("proxy_get_header_map_pairs");
    let ex = gw.send(&request, &UpstreamResponse::default())?;
    ensure!(
        ex.upstream.as_ref().map(|u| u.body.as_slice()) == Some(br#"{"a":1}"#),
        "the plugin skips this route: {ex:?}"
    );
    let made = gw.hostcall_count("proxy_get_header_map_pairs") - before;
    ensure!(made == 0, "{made} header-map fetches for a skipped request");
    Ok(())
}

/// A callback that logs several lines asks the host's level once, and a
/// level changed between callbacks applies from the next one.
#[test]
fn a_callback_asks_the_log_level_once() -> Result<()> {
    let module = emulator_module("sdk-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = emulator(&module, &GatewaySetup::default(), Profile::Envoy)?;
    let chatty = HttpRequest::get("example.com", "/chatty");
    gw.send(&chatty, &UpstreamResponse::default())?;
    let asked = gw.hostcall_count("proxy_get_log_level");
    let lines = |gw: &Emulator| {
        gw.logs()
            .iter()
            .filter(|l| l.message.contains("chatty: "))
            .count()
    };
    let before = lines(&gw);
    gw.send(&chatty, &UpstreamResponse::default())?;
    ensure!(
        gw.hostcall_count("proxy_get_log_level") - asked == 1,
        "four lines in one callback asked the level {} times",
        gw.hostcall_count("proxy_get_log_level") - asked
    );
    ensure!(lines(&gw) - before == 4, "{:#?}", gw.logs());

    gw.set_log_level(LogLevel::Info);
    let before = lines(&gw);
    gw.send(&chatty, &UpstreamResponse::default())?;
    ensure!(
        lines(&gw) - before == 1,
        "at info, only the info line: {:#?}",
        gw.logs()
    );
    Ok(())
}

/// A plugin panic costs its request, not the instance (`sdk-fixture`): the
/// request is answered 500, the SDK and the glue log why, the same instance
/// serves on; and 10,000 panics in a row leak only what the panicking
/// frames owned (nothing unwinds), measured here.
#[test]
fn a_panic_costs_one_request_and_ten_thousand_leak_little() -> Result<()> {
    let module = emulator_module("sdk-fixture", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = emulator(&module, &GatewaySetup::default(), Profile::Envoy)?;
    gatewit_tests::panics::a_panic_costs_one_request(&mut gw, 100)?;
    let logged = |gw: &Emulator, text: &str| gw.logs().iter().any(|l| l.message.contains(text));
    ensure!(
        logged(&gw, ": sdk-fixture panics on `/boom`")
            && logged(
                &gw,
                "gatewit: the plugin panicked in `proxy_on_request_headers`; its request, if any, is answered 500"
            )
            && logged(
                &gw,
                "gatewit: the plugin panicked in `proxy_on_response_headers`"
            ),
        "{:#?}",
        gw.logs()
    );

    let boom = HttpRequest::get("example.com", "/boom");
    let before = gw.memory_bytes();
    for _ in 0..10_000 {
        let ex = gw.send(&boom, &UpstreamResponse::default())?;
        ensure!(ex.response.status == 500, "{ex:?}");
    }
    let leaked = gw.memory_bytes() - before;
    eprintln!(
        "10,000 panics grew linear memory by {leaked} bytes ({} bytes a panic, 64 KiB pages)",
        leaked / 10_000
    );
    ensure!(
        leaked / 10_000 <= 1024,
        "each panic leaks {} bytes",
        leaked / 10_000
    );
    let ex = gw.send(
        &HttpRequest::get("example.com", "/"),
        &UpstreamResponse::default(),
    )?;
    ensure!(ex.upstream_header("x-served") == Some("104"), "{ex:?}");
    Ok(())
}
