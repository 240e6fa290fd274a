//! How stock Envoy 1.40 treats Pause returned from the request-headers
//! callback, with and without `allow_on_headers_stop_iteration` (the probe
//! plugin is in `envoy-harness/plugins/pause-probe`).

use crate::build::build_wasm;
use anyhow::{Context as _, Result, ensure};
use gatewit_envoy_harness::{EnvoyGateway, EnvoyOptions};
use gatewit_test_kit::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use std::time::Duration;

fn probe_request() -> HttpRequest {
    HttpRequest::post("example.com", "/upload", Vec::new())
        .header("x-pause", "1")
        .chunks(["hello ", "world"])
}

#[test]
fn with_allow_on_headers_stop_iteration_body_callbacks_run_while_headers_are_paused() -> Result<()>
{
    let module = build_wasm("gatewit-envoy-pause-probe", "wasm32-unknown-unknown")?;
    let options = EnvoyOptions {
        allow_on_headers_stop_iteration: true,
        ..EnvoyOptions::default()
    };
    let mut gw = EnvoyGateway::start_with(&module, &GatewaySetup::default(), &options)?;
    let ex = gw.send(&probe_request(), &UpstreamResponse::default())?;
    assert_eq!(ex.response.status, 200);
    let up = ex
        .upstream
        .as_ref()
        .context("the paused request never reached the upstream")?;
    assert_eq!(up.body, b"hello world");
    assert_eq!(ex.upstream_header("x-body-bytes"), Some("11"));
    let callbacks: usize = ex
        .upstream_header("x-body-callbacks")
        .context("no `x-body-callbacks`")?
        .parse()?;
    ensure!(callbacks >= 1, "no body callback ran");
    Ok(())
}

#[test]
fn without_it_a_paused_headers_callback_withholds_the_body() -> Result<()> {
    let module = build_wasm("gatewit-envoy-pause-probe", "wasm32-unknown-unknown")?;
    // The request is expected to hang: keep the bound short.
    let options = EnvoyOptions {
        request_timeout: Duration::from_secs(2),
        ..EnvoyOptions::default()
    };
    let mut gw = EnvoyGateway::start_with(&module, &GatewaySetup::default(), &options)?;
    let outcome = gw.send(&probe_request(), &UpstreamResponse::default());
    let upstream_saw = gw.upstream().requests();
    ensure!(
        upstream_saw.is_empty(),
        "the upstream got the paused request: {upstream_saw:?}"
    );
    match outcome {
        // Envoy stops the whole stream (headers and body) until the plugin
        // resumes it; a plugin that only resumes from a body callback never
        // does, and the client gives up.
        Err(err) => ensure!(
            format!("{err:#}").contains("timed out"),
            "unexpected failure: {err:#}"
        ),
        Ok(ex) => anyhow::bail!(
            "the paused request completed: status {} {:?}",
            ex.response.status,
            ex.body_text()
        ),
    }
    // A request without `x-pause` still goes through on the same Envoy.
    let ex = gw.send(
        &HttpRequest::post("example.com", "/plain", "body"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.response.status, 200);
    Ok(())
}
