//! Tier 3: every example, adapted with `gatewit adapt`, runs the scenario
//! table in a real Envoy 1.40 (one Envoy per test, its own loopback ports and
//! `--base-id`) in front of a real upstream, with Envoy clusters named
//! exactly as the SDK formats them. Envoy comes from
//! `scripts/install-deps.sh`; without it these tests fail, naming the script.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use gatewit_adapter::Profile;
use gatewit_envoy_harness::EnvoyGateway;
use gatewit_host_shim::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_tests::adapted::{Toolchain, adapted_module};
use gatewit_tests::http_server::{Reply, TestServer};
use gatewit_tests::scenarios::token_cluster;
use gatewit_tests::scenarios::{self, Scenario};

/// Runs scenario `name` in Envoy with the plugin built by `toolchain`.
fn run(name: &str, toolchain: Toolchain) -> Result<()> {
    let scenario: Scenario = scenarios::by_name(name)?;
    let module = adapted_module(scenario.plugin, toolchain, Profile::Envoy)?;
    scenario.run(|_component, setup| {
        Ok(Box::new(EnvoyGateway::start(&module, setup)?) as Box<dyn Gateway>)
    })
}

fn run_wasip2(name: &str) -> Result<()> {
    run(name, Toolchain::Wasip2)
}

gatewit_tests::scenario_tests!(run_wasip2, without_redis);

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
    let mut setup = GatewaySetup {
        plugin_config: scenarios::http_call_config("ip"),
        ..GatewaySetup::default()
    };
    setup
        .clusters
        .http
        .insert(token_cluster("ip", "token", "default"), server.addr());
    let module = adapted_module("http-call", Toolchain::Wasip2, Profile::Envoy)?;
    let mut gw = EnvoyGateway::start(&module, &setup)?;
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
