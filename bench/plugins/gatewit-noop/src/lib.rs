//! Benchmark diagnostic: the phases of `gatewit-headers` with no work in
//! them (no header access), so the report can split the adapted plugin's
//! cost into "Envoy calls the plugin (SDK and adapter glue included)" and
//! "the plugin calls Envoy". Pairs with `crate-noop`.

use gatewit_sdk::{HeaderAction, HttpContext, NoConfig, Plugin};

/// The plugin.
pub struct GatewitNoop;

#[gatewit_sdk::plugin]
impl Plugin for GatewitNoop {
    type Config = NoConfig;

    fn on_request_headers(_ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        HeaderAction::Continue
    }

    fn on_response_headers(_ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        HeaderAction::Continue
    }
}
