//! A gatewit plugin (the bench plugin `gatewit-headers`, on the gatewit
//! SDK), adapted with `gatewit adapt`, in a real Envoy: the same checks as
//! the `proxy-wasm` crate plugin in `envoy.rs`.

use crate::build::build_adapted;
use anyhow::{Result, ensure};
use gatewit_envoy_harness::EnvoyGateway;
use gatewit_test_kit::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use serde_json::json;

const PLUGIN: &str = "gatewit-bench-gatewit-headers";

#[test]
fn adapted_plugin_adds_request_and_response_headers() -> Result<()> {
    let module = build_adapted(PLUGIN)?;
    let setup = GatewaySetup {
        plugin_config: json!({ "response_value": "from-config" }),
        ..GatewaySetup::default()
    };
    let mut gw = EnvoyGateway::start(&module, &setup)?;
    for i in 0..3 {
        let request = HttpRequest::get("example.com", &format!("/r{i}"))
            .header("user-agent", "test")
            .header("x-bench", "1");
        let ex = gw.send(&request, &UpstreamResponse::default())?;
        assert_eq!(ex.response.status, 200, "request {i}");
        assert_eq!(ex.body_text(), "upstream ok", "request {i}");
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
    }
    Ok(())
}

#[test]
fn adapted_plugin_rejects_bad_config_with_its_reason() -> Result<()> {
    let module = build_adapted(PLUGIN)?;
    let setup = GatewaySetup {
        plugin_config: json!({ "response_value": 7 }),
        ..GatewaySetup::default()
    };
    let Err(err) = EnvoyGateway::start(&module, &setup) else {
        anyhow::bail!("envoy accepted a configuration the plugin rejects");
    };
    let text = format!("{err:#}");
    // serde's reason, passed on by the SDK through `proxy_log`…
    ensure!(
        text.contains("invalid type: integer `7`"),
        "no plugin reason in: {text}"
    );
    // …and Envoy's verdict.
    ensure!(
        text.contains("Unable to create Wasm plugin gatewit"),
        "no envoy verdict in: {text}"
    );
    Ok(())
}
