//! Real Envoy 1.40 with real proxy-wasm modules: the bench floor (an empty
//! module), a plugin written on the `proxy-wasm` crate, and the same logic
//! on the raw ABI (the `floor-*` bench modules). These tests need
//! Envoy (`scripts/install-deps.sh`); without it they fail and say so.

use crate::build::build_wasm;
use anyhow::{Context as _, Result, ensure};
use gatewit_envoy_harness::client::Connection;
use gatewit_envoy_harness::{
    Envoy, EnvoyConfig, EnvoyGateway, EnvoyOptions, Launch, Reply, WasmFilter, client,
};
use gatewit_test_kit::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

const TARGET: &str = "wasm32-unknown-unknown";

fn empty_module() -> Result<PathBuf> {
    build_wasm("gatewit-bench-empty", TARGET)
}

fn crate_module() -> Result<PathBuf> {
    build_wasm("gatewit-bench-crate-headers", TARGET)
}

#[test]
fn empty_module_passes_a_request_through() -> Result<()> {
    let mut gw = EnvoyGateway::start(&empty_module()?, &GatewaySetup::default())?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/hello?x=1").header("x-test", "a"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.response.status, 200);
    assert_eq!(ex.body_text(), "upstream ok");
    let up = ex
        .upstream
        .as_ref()
        .context("the request did not reach the upstream")?;
    assert_eq!(up.method, "GET");
    assert_eq!(up.path, "/hello?x=1");
    assert_eq!(ex.upstream_header("x-test"), Some("a"));
    assert_eq!(ex.upstream_header("host"), Some("example.com"));
    Ok(())
}

/// Two configurations of one module in one Envoy (`start_many`): a
/// listener and a VM each, and each listener keeps its own configuration
/// while requests alternate between them.
#[test]
fn crate_plugin_with_and_without_config_in_one_envoy() -> Result<()> {
    let configured = GatewaySetup {
        plugin_config: json!({ "response_value": "from-config" }),
        ..GatewaySetup::default()
    };
    let mut gateways = EnvoyGateway::start_many(
        &crate_module()?,
        &[configured, GatewaySetup::default()],
        &EnvoyOptions::default(),
    )?;
    let mut default = gateways.pop().context("the second listener")?;
    let mut configured = gateways.pop().context("the first listener")?;
    ensure!(
        configured.envoy().pid() == default.envoy().pid(),
        "two envoys were started"
    );
    for i in 0..3 {
        let ex = configured.send(
            &HttpRequest::get("example.com", &format!("/r{i}"))
                .header("user-agent", "test")
                .header("x-bench", "1"),
            &UpstreamResponse::default(),
        )?;
        assert_eq!(ex.response.status, 200, "request {i}");
        assert_eq!(
            ex.upstream_header("x-gatewit-bench"),
            Some("1"),
            "request {i}"
        );
        assert_eq!(
            ex.response_header("x-gatewit-bench-response"),
            Some("from-config"),
            "request {i}"
        );
        assert_eq!(
            ex.upstream.as_ref().map(|u| u.path.as_str()),
            Some(format!("/r{i}").as_str())
        );
        // Without a configuration the plugin answers with its default.
        let ex = default.send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )?;
        assert_eq!(
            ex.response_header("x-gatewit-bench-response"),
            Some("1"),
            "request {i}"
        );
    }
    Ok(())
}

#[test]
fn gateways_sharing_an_envoy_may_differ_only_in_configuration() -> Result<()> {
    let other_route = GatewaySetup {
        route_name: "another-route".into(),
        ..GatewaySetup::default()
    };
    let Err(err) = EnvoyGateway::start_many(
        &crate_module()?,
        &[GatewaySetup::default(), other_route],
        &EnvoyOptions::default(),
    ) else {
        anyhow::bail!("setups with different routes shared an envoy");
    };
    ensure!(
        format!("{err:#}").contains("may differ only in their plugin configuration"),
        "{err:#}"
    );
    Ok(())
}

#[test]
fn rejected_config_is_reported_with_the_plugins_reason() -> Result<()> {
    let setup = GatewaySetup {
        plugin_config: json!({ "response_value": 7 }),
        ..GatewaySetup::default()
    };
    let Err(err) = EnvoyGateway::start(&crate_module()?, &setup) else {
        anyhow::bail!("envoy accepted a configuration the plugin rejects");
    };
    let text = format!("{err:#}");
    // The plugin's own log line, as Envoy printed it…
    ensure!(
        text.contains(
            "wasm log gatewit: crate-headers: invalid plugin configuration: invalid type: integer `7`"
        ),
        "no plugin reason in: {text}"
    );
    // …and Envoy's verdict.
    ensure!(
        text.contains("Unable to create Wasm plugin gatewit"),
        "no envoy verdict in: {text}"
    );
    Ok(())
}

#[test]
fn bodies_survive_chunked_transfer_both_ways() -> Result<()> {
    let mut gw = EnvoyGateway::start(&crate_module()?, &GatewaySetup::default())?;
    let request = HttpRequest::post("example.com", "/upload", Vec::new())
        .chunks(["first,", "second,", "third"]);
    let reply = UpstreamResponse {
        status: 201,
        headers: vec![
            ("content-type".into(), "text/plain".into()),
            ("x-up".into(), "yes".into()),
        ],
        body_chunks: vec![b"one ".to_vec(), b"two ".to_vec(), b"three".to_vec()],
    };
    let ex = gw.send(&request, &reply)?;
    let up = ex
        .upstream
        .as_ref()
        .context("the request did not reach the upstream")?;
    assert_eq!(up.method, "POST");
    assert_eq!(String::from_utf8_lossy(&up.body), "first,second,third");
    assert_eq!(ex.response.status, 201);
    assert_eq!(ex.body_text(), "one two three");
    assert_eq!(ex.response_header("x-up"), Some("yes"));
    // A single-chunk body goes with a content-length.
    let ex = gw.send(
        &HttpRequest::post("example.com", "/one", "payload"),
        &UpstreamResponse::default(),
    )?;
    let up = ex
        .upstream
        .as_ref()
        .context("the request did not reach the upstream")?;
    assert_eq!(up.body, b"payload");
    assert_eq!(ex.upstream_header("content-length"), Some("7"));
    Ok(())
}

#[test]
fn slow_upstream_and_queued_replies() -> Result<()> {
    let mut gw = EnvoyGateway::start(&empty_module()?, &GatewaySetup::default())?;
    gw.upstream().push_reply(Reply {
        response: UpstreamResponse {
            status: 503,
            headers: vec![],
            body_chunks: vec![b"busy".to_vec()],
        },
        delay: Duration::from_millis(300),
    });
    // `send` sets the default reply; the queued one still goes first.
    let started = std::time::Instant::now();
    let first = gw.send(
        &HttpRequest::get("example.com", "/a"),
        &UpstreamResponse::default(),
    )?;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the delay was not applied"
    );
    assert_eq!(first.response.status, 503);
    assert_eq!(first.body_text(), "busy");
    let second = gw.send(
        &HttpRequest::get("example.com", "/b"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(second.response.status, 200);
    Ok(())
}

#[test]
fn clusters_get_exactly_the_names_plugins_use() -> Result<()> {
    let token: SocketAddr = "127.0.0.1:18080".parse()?;
    let redis: SocketAddr = "127.0.0.1:16379".parse()?;
    let mut setup = GatewaySetup::default();
    setup
        .clusters
        .http
        .insert("outbound|8080||token.static".into(), token);
    setup
        .clusters
        .redis
        .insert("outbound|6379||redis.static".into(), redis);
    let gw = EnvoyGateway::start(&empty_module()?, &setup)?;
    let (status, clusters) =
        client::get(gw.envoy().admin_addr(), "/clusters", Duration::from_secs(5))?;
    assert_eq!(status, 200);
    for line in [
        "outbound|8080||token.static::127.0.0.1:18080::",
        "outbound|6379||redis.static::127.0.0.1:16379::",
        "outbound|80||upstream.static::127.0.0.1:",
    ] {
        ensure!(
            clusters.contains(line),
            "admin `/clusters` has no `{line}`:\n{clusters}"
        );
    }
    Ok(())
}

#[test]
fn direct_response_without_and_with_a_filter() -> Result<()> {
    let plain = Envoy::start(&EnvoyConfig::direct_response())?;
    let with = Envoy::start(
        &EnvoyConfig::direct_response().with_wasm(WasmFilter::new(crate_module()?, "")),
    )?;
    for (envoy, plugin_header) in [(&plain, None), (&with, Some("1"))] {
        let response = client::send(
            envoy.listener_addr(),
            &HttpRequest::get("bench", "/"),
            Duration::from_secs(10),
        )?;
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"ok");
        let header = response
            .headers
            .iter()
            .find(|(k, _)| k == "x-gatewit-bench-response")
            .map(|(_, v)| v.as_str());
        assert_eq!(header, plugin_header);
    }
    Ok(())
}

/// The raw-ABI floor modules (no SDK) do the bench plugins' header work.
#[test]
fn floor_modules_add_the_bench_headers() -> Result<()> {
    for package in ["gatewit-bench-floor-values", "gatewit-bench-floor-pairs"] {
        let module = build_wasm(package, TARGET)?;
        let mut gw = EnvoyGateway::start(&module, &GatewaySetup::default())?;
        let ex = gw.send(
            &HttpRequest::get("bench", "/")
                .header("user-agent", "gatewit-bench")
                .header("x-bench", "1"),
            &UpstreamResponse::default(),
        )?;
        assert_eq!(ex.response.status, 200, "{package}");
        assert_eq!(
            ex.upstream_header("x-gatewit-bench"),
            Some("1"),
            "{package}"
        );
        assert_eq!(
            ex.response_header("x-gatewit-bench-response"),
            Some("1"),
            "{package}"
        );
    }
    Ok(())
}

/// `Launch::wrapper` runs the Envoy executable under another program (here
/// `env`, which `exec`s it in the same process, as valgrind runs it in the
/// benchmark), and one keep-alive `Connection` carries request after request.
#[test]
fn wrapped_envoy_serves_a_keep_alive_connection() -> Result<()> {
    let module = build_wasm("gatewit-bench-floor-values", TARGET)?;
    let launch = Launch::default()
        .log_level("warn")
        .wrapper("env", ["GATEWIT_WRAPPED=1"]);
    let envoy = Envoy::launch(
        &EnvoyConfig::direct_response().with_wasm(WasmFilter::new(module, "")),
        &launch,
    )?;
    let environ = std::fs::read(format!("/proc/{}/environ", envoy.pid()))?;
    ensure!(
        environ
            .split(|&b| b == 0)
            .any(|var| var == b"GATEWIT_WRAPPED=1"),
        "Envoy did not run under the wrapper"
    );
    let mut connection = Connection::open(envoy.listener_addr(), Duration::from_secs(10))?;
    for _ in 0..5 {
        let response = connection.send(&HttpRequest::get("bench", "/"))?;
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"ok");
        assert!(
            response
                .headers
                .iter()
                .any(|(k, v)| k == "x-gatewit-bench-response" && v == "1")
        );
    }
    Ok(())
}

#[test]
fn allow_on_headers_stop_iteration_is_accepted() -> Result<()> {
    let mut wasm = WasmFilter::new(empty_module()?, "");
    wasm.allow_on_headers_stop_iteration = true;
    let envoy = Envoy::start(&EnvoyConfig::direct_response().with_wasm(wasm))?;
    let response = client::send(
        envoy.listener_addr(),
        &HttpRequest::get("bench", "/"),
        Duration::from_secs(10),
    )?;
    assert_eq!(response.status, 200);
    Ok(())
}
