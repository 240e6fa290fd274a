//! Stock Envoy has no Redis hostcalls: a gatewit plugin that uses Redis,
//! adapted for the `envoy` profile, must get a clear error, not a hang. The
//! Redis cluster itself is a plain TCP cluster with the exact name.

use crate::build::build_adapted;
use anyhow::{Result, ensure};
use gatewit_envoy_harness::EnvoyGateway;
use gatewit_test_kit::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use serde_json::json;

#[test]
fn redis_demo_on_stock_envoy_answers_its_redis_error() -> Result<()> {
    let module = build_adapted("redis-demo")?;
    let mut setup = GatewaySetup {
        plugin_config: json!({ "serviceName": "redis.static", "servicePort": 6379, "qpm": 100 }),
        ..GatewaySetup::default()
    };
    // Nothing listens there: stock Envoy never connects on the plugin's
    // behalf anyway.
    setup
        .clusters
        .redis
        .insert("outbound|6379||redis.static".into(), "127.0.0.1:1".parse()?);
    let mut gw = EnvoyGateway::start(&module, &setup)?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/"),
        &UpstreamResponse::default(),
    )?;
    // The example's answer to a Redis failure (Higress parity)…
    assert_eq!(ex.response.status, 430);
    assert_eq!(ex.body_text(), "Error while calling redis");
    assert!(ex.upstream.is_none(), "the request reached the upstream");
    // …and the reason, from the adapter's `envoy` profile, in Envoy's log.
    let log = gw.envoy().relevant_log_lines();
    ensure!(
        log.contains("redis is not supported by this host"),
        "no clear redis error in the log:\n{log}"
    );
    Ok(())
}
