//! Benchmark plugin on the gatewit SDK: the same logic as
//! `bench/plugins/crate-call` (written directly on the `proxy-wasm` crate),
//! built as a component for `wasm32-wasip2` and adapted to a proxy-wasm
//! module with `gatewit adapt`.
//!
//! Per request:
//! - request headers: `GET /token` to cluster `bench-token`, pause;
//! - the call's answer: copy its `x-bench-token` header into the request,
//!   resume the request;
//! - response headers: add `x-gatewit-bench-response: 1`.

use gatewit_sdk::http_client::{HttpClient, TargetCluster};
use gatewit_sdk::{HeaderAction, HttpContext, Plugin, log_error};
use serde::Deserialize;

/// Generous: Envoy under callgrind runs some 50 times slower.
const TIMEOUT_MS: u32 = 60_000;

/// The configuration: none to read; the client, made once.
#[derive(Deserialize)]
#[serde(from = "NoFields")]
pub struct Config {
    client: HttpClient,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

impl From<NoFields> for Config {
    fn from(_: NoFields) -> Self {
        let cluster = TargetCluster {
            host: "token".into(),
            cluster: "bench-token".into(),
        };
        Config {
            client: HttpClient::new(cluster).with_timeout(TIMEOUT_MS),
        }
    }
}

/// The plugin.
pub struct GatewitCall;

#[gatewit_sdk::plugin]
impl Plugin for GatewitCall {
    type Config = Config;

    fn on_request_headers(_ctx: &mut HttpContext, config: &Config) -> HeaderAction {
        let sent = config.client.get("/token", &[], |ctx, resp| {
            if let Some(token) = resp.header("x-bench-token")
                && let Err(e) = ctx.add_request_header("x-bench-token", token)
            {
                log_error!("adding `x-bench-token`: {e}");
            }
            if let Err(e) = ctx.resume_request() {
                log_error!("resuming the request: {e}");
            }
        });
        match sent {
            Ok(()) => HeaderAction::Pause,
            Err(e) => {
                log_error!("calling `bench-token`: {e}");
                HeaderAction::Continue
            }
        }
    }

    fn on_response_headers(ctx: &mut HttpContext, _config: &Config) -> HeaderAction {
        if let Err(e) = ctx.add_response_header("x-gatewit-bench-response", "1") {
            log_error!("adding `x-gatewit-bench-response`: {e}");
        }
        HeaderAction::Continue
    }
}
