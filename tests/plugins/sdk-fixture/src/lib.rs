//! Test fixture: an SDK plugin for what the examples do not show.
//!
//! - `/boom`: panics in the request headers phase;
//! - `/boom-late`: panics in the response headers phase;
//! - `/attrs`: writes user attributes to the access log (property
//!   `ai_log`, Higress's format) in the request phase (`model`, `prompt`)
//!   and again in the response phase (`tokens`), which merges; logs
//!   `attributes written in the <phase> phase` in each (for the request id
//!   in the line);
//! - `/phase`: calls cluster `phase-backend` and pauses; the answer's
//!   callback adds request header `x-phase-in-callback` (what
//!   `ctx.phase()` says there: the request's phase, as Go) and resumes;
//! - `/deny`: answers 403 `denied` with response code details
//!   `sdk-fixture.deny`;
//! - `/kind`: adds request header `x-kind: ws=<is_websocket>,binary=
//!   <is_binary_request_body>`;
//! - any other path: adds request header `x-served: <n>`, the number of
//!   requests this plugin instance has served (state that lives as long as
//!   the instance: a count that goes on after a panic shows the instance
//!   survived it);
//! - response headers: adds `x-response-phase: ran` (never on a request
//!   that panicked earlier: the SDK skips the rest of a failed request);
//! - ticks: two functions, every 1 s and every 3 s, count their runs;
//!   every request carries them as request header `x-ticks: <1 s>/<3 s>`.

use gatewit_sdk::{
    HeaderAction, HttpClient, HttpContext, NoConfig, Plugin, PluginContext, TargetCluster,
};
use std::cell::Cell;

thread_local! {
    static SERVED: Cell<u32> = const { Cell::new(0) };
    static TICKS: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
}

/// The plugin.
pub struct SdkFixture;

#[gatewit_sdk::plugin]
impl Plugin for SdkFixture {
    type Config = NoConfig;

    fn on_plugin_start(ctx: &mut PluginContext<'_, NoConfig>) -> Result<(), String> {
        ctx.register_tick(1000, || TICKS.set((TICKS.get().0 + 1, TICKS.get().1)));
        ctx.register_tick(3000, || TICKS.set((TICKS.get().0, TICKS.get().1 + 1)));
        Ok(())
    }

    fn on_request_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        let path = ctx.path();
        // Kept for the response phase: Envoy does not serve request
        // headers there.
        ctx.set("path", path.clone());
        match path.as_str() {
            "/boom" => panic!("sdk-fixture panics on `{path}`"),
            "/attrs" => {
                ctx.set_user_attribute("model", "qwen-<max>");
                ctx.set_user_attribute("prompt", "say \"hi\"\n");
                if let Err(e) = ctx.write_user_attribute_to_log_with_key("ai_log") {
                    gatewit_sdk::log_error!("cannot write ai_log: {e}");
                }
                gatewit_sdk::log_info!("attributes written in the request phase");
            }
            "/deny" => {
                if let Err(e) =
                    ctx.send_http_response_with_details(403, "sdk-fixture.deny", &[], "denied")
                {
                    gatewit_sdk::log_error!("cannot deny: {e}");
                }
                return HeaderAction::Pause;
            }
            "/kind" => {
                let kind = format!(
                    "ws={},binary={}",
                    ctx.is_websocket(),
                    ctx.is_binary_request_body()
                );
                if let Err(e) = ctx.add_request_header("x-kind", &kind) {
                    gatewit_sdk::log_error!("cannot add x-kind: {e}");
                }
            }
            "/phase" => {
                let client = HttpClient::new(TargetCluster {
                    host: "backend".into(),
                    cluster: "phase-backend".into(),
                });
                let sent = client.get("/", &[], |ctx, _answer| {
                    let phase = format!("{:?}", ctx.phase());
                    if let Err(e) = ctx.add_request_header("x-phase-in-callback", &phase) {
                        gatewit_sdk::log_error!("cannot add x-phase-in-callback: {e}");
                    }
                    if let Err(e) = ctx.resume_request() {
                        gatewit_sdk::log_error!("cannot resume: {e}");
                    }
                });
                if sent.is_ok() {
                    return HeaderAction::Pause;
                }
            }
            _ => {}
        }
        let n = SERVED.with(|s| {
            s.set(s.get() + 1);
            s.get()
        });
        if let Err(e) = ctx.add_request_header("x-served", &n.to_string()) {
            gatewit_sdk::log_error!("cannot add x-served: {e}");
        }
        let (fast, slow) = TICKS.get();
        if let Err(e) = ctx.add_request_header("x-ticks", &format!("{fast}/{slow}")) {
            gatewit_sdk::log_error!("cannot add x-ticks: {e}");
        }
        HeaderAction::Continue
    }

    fn on_response_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        let path = ctx.get::<String>("path").cloned().unwrap_or_default();
        if path == "/boom-late" {
            panic!("sdk-fixture panics in the response of `/boom-late`");
        }
        if path == "/attrs" {
            ctx.set_user_attribute("tokens", 7);
            if let Err(e) = ctx.write_user_attribute_to_log_with_key("ai_log") {
                gatewit_sdk::log_error!("cannot write ai_log: {e}");
            }
            gatewit_sdk::log_info!("attributes written in the response phase");
        }
        if let Err(e) = ctx.add_response_header("x-response-phase", "ran") {
            gatewit_sdk::log_error!("cannot add x-response-phase: {e}");
        }
        HeaderAction::Continue
    }
}
