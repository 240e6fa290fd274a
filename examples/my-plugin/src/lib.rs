//! `my-plugin`: adds request header `hello: world`; with `mockEnable: true`
//! answers 200 `hello world` instead of forwarding.
//!
//! The Rust version of the first example of Higress's Go plugin guide.

use gatewit_sdk::{HeaderAction, HttpContext, Plugin, log_error};
use serde::Deserialize;

/// Configuration: `{"mockEnable": true}`; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MyConfig {
    /// Answer `hello world` directly instead of forwarding.
    pub mock_enable: bool,
}

/// The plugin.
pub struct MyPlugin;

#[gatewit_sdk::plugin]
impl Plugin for MyPlugin {
    type Config = MyConfig;

    fn on_request_headers(ctx: &mut HttpContext, config: &MyConfig) -> HeaderAction {
        if let Err(e) = ctx.add_request_header("hello", "world") {
            log_error!("failed to add request header `hello`: {e}");
        }
        if config.mock_enable
            && let Err(e) = ctx.send_http_response(200, &[], "hello world")
        {
            log_error!("failed to send the local reply: {e}");
        }
        HeaderAction::Continue
    }
}
