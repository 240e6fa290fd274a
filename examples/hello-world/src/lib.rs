//! `hello-world`: answers every request with 200 `hello world`.
//!
//! The Rust version of Higress's no-config example plugin.

use gatewit_sdk::{HeaderAction, HttpContext, NoConfig, Plugin};

/// The plugin: no configuration, one phase.
pub struct HelloWorld;

#[gatewit_sdk::plugin]
impl Plugin for HelloWorld {
    type Config = NoConfig;

    fn on_request_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        if let Err(e) = ctx.send_http_response(200, &[], "hello world") {
            gatewit_sdk::log_error!("failed to send the local reply: {e}");
        }
        HeaderAction::Continue
    }
}
