//! Benchmark plugin on the gatewit SDK: the same logic as
//! `bench/plugins/crate-headers` (written directly on the `proxy-wasm`
//! crate), built as a component for `wasm32-wasip2` and adapted to a
//! proxy-wasm module with `gatewit adapt`.
//!
//! Per request:
//! - request headers: add `x-gatewit-bench: 1`, read `user-agent` and
//!   `x-bench`;
//! - response headers: add `x-gatewit-bench-response: <response_value>`.
//!
//! Configuration (JSON, optional): `{"response_value": "<string>"}`, default
//! `1`; anything else is rejected.

use gatewit_sdk::{HeaderAction, HttpContext, Plugin};
use serde::Deserialize;

/// The plugin configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Value of the response header the plugin adds.
    #[serde(default = "default_response_value")]
    response_value: String,
}

fn default_response_value() -> String {
    "1".to_owned()
}

/// The plugin.
pub struct GatewitHeaders;

#[gatewit_sdk::plugin]
impl Plugin for GatewitHeaders {
    type Config = Config;

    fn on_request_headers(ctx: &mut HttpContext, _config: &Config) -> HeaderAction {
        // A failed add has nowhere better to go than the log; the request
        // goes on either way, as in the crate plugin.
        if let Err(e) = ctx.add_request_header("x-gatewit-bench", "1") {
            gatewit_sdk::log_error!("adding `x-gatewit-bench`: {e}");
        }
        let user_agent = ctx.request_header("user-agent");
        let bench = ctx.request_header("x-bench");
        std::hint::black_box((user_agent, bench));
        HeaderAction::Continue
    }

    fn on_response_headers(ctx: &mut HttpContext, config: &Config) -> HeaderAction {
        if let Err(e) = ctx.add_response_header("x-gatewit-bench-response", &config.response_value)
        {
            gatewit_sdk::log_error!("adding `x-gatewit-bench-response`: {e}");
        }
        HeaderAction::Continue
    }
}
