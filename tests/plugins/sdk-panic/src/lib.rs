//! Test fixture: an SDK plugin that panics on request, to check what a
//! panic costs on every tier.
//!
//! - `/boom`: panics in the request headers phase;
//! - `/boom-late`: panics in the response headers phase;
//! - any other path: adds request header `x-served: <n>`, the number of
//!   requests this plugin instance has served (state that lives as long as
//!   the instance: a count that goes on after a panic shows the instance
//!   survived it);
//! - response headers: adds `x-response-phase: ran` (never on a request
//!   that panicked earlier: the SDK skips the rest of a failed request).

use gatewit_sdk::{HeaderAction, HttpContext, NoConfig, Plugin};
use std::cell::Cell;

thread_local! {
    static SERVED: Cell<u32> = const { Cell::new(0) };
}

/// The plugin.
pub struct SdkPanic;

#[gatewit_sdk::plugin]
impl Plugin for SdkPanic {
    type Config = NoConfig;

    fn on_request_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        let path = ctx.path();
        // Kept for the response phase: Envoy does not serve request
        // headers there.
        ctx.set("path", path.clone());
        if path == "/boom" {
            panic!("sdk-panic fixture panics on `{path}`");
        }
        let n = SERVED.with(|s| {
            s.set(s.get() + 1);
            s.get()
        });
        if let Err(e) = ctx.add_request_header("x-served", &n.to_string()) {
            gatewit_sdk::log_error!("cannot add x-served: {e}");
        }
        HeaderAction::Continue
    }

    fn on_response_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        if ctx.get::<String>("path").is_some_and(|p| p == "/boom-late") {
            panic!("sdk-panic fixture panics in the response of `/boom-late`");
        }
        if let Err(e) = ctx.add_response_header("x-response-phase", "ran") {
            gatewit_sdk::log_error!("cannot add x-response-phase: {e}");
        }
        HeaderAction::Continue
    }
}
