//! The plugin's code, against `crate::greeter` (the imported interface here;
//! the library's logic itself in the benchmark's one-component twin).

use crate::greeter::{self, Decision, Features, Mode, Request};
use gatewit_sdk::{HeaderAction, HttpContext, Plugin, log_error, log_info};
use serde::Deserialize;

/// Configuration: `{"mockEnable": true}`; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MyConfig {
    /// Answer `hello world` directly instead of forwarding.
    pub mock_enable: bool,
}

/// The plugin.
pub struct ComposedPlugin;

#[gatewit_sdk::plugin]
impl Plugin for ComposedPlugin {
    type Config = MyConfig;

    fn on_request_headers(ctx: &mut HttpContext, config: &MyConfig) -> HeaderAction {
        let headers = ctx
            .request_headers()
            .into_iter()
            .map(|(name, value)| greeter::Header { name, value })
            .collect();
        let req = Request {
            path: ctx.request_header(":path").unwrap_or_default(),
            headers,
            user_agent: ctx.request_header("user-agent"),
        };
        let mode = if config.mock_enable {
            Mode::Mock
        } else {
            Mode::Forward
        };
        match greeter::decide(&req, mode, Features::ECHO_USER_AGENT | Features::COUNT) {
            Ok(Decision::Forward(add)) => {
                for h in add {
                    if let Err(e) = ctx.add_request_header(&h.name, &h.value) {
                        log_error!("failed to add request header `{}`: {e}", h.name);
                    }
                }
            }
            Ok(Decision::Reply(answer)) => {
                let headers: Vec<(&str, &str)> = answer
                    .headers
                    .iter()
                    .map(|h| (h.name.as_str(), h.value.as_str()))
                    .collect();
                if let Err(e) = ctx.send_http_response(answer.status, &headers, &answer.body) {
                    log_error!("failed to send the local reply: {e}");
                }
            }
            Ok(Decision::Pass) => {}
            Err(why) => {
                log_error!("the greeter refused: {why}");
                let _ = ctx.send_http_response(500, &[], why.as_bytes());
            }
        }
        // Numbers both ways, and more than 16 flat parameters (three
        // requests, passed in memory): a wrong answer is a 500, so the
        // scenarios see it.
        let tag = (7, -300, 70_000, -5_000_000_000, 1.5, -2.25, 'λ', true);
        let (decided, echoed) = greeter::stats(tag);
        let total = greeter::total_headers(&req, &req, &req);
        let each = req.headers.len() as u32 + u32::from(req.user_agent.is_some());
        if echoed != tag || total != 3 * each {
            let why = format!(
                "the greeter echoed {echoed:?} for {tag:?}, counted {total} headers for {each} × 3"
            );
            log_error!("{why}");
            let _ = ctx.send_http_response(500, &[], why.as_bytes());
        }
        log_info!("my-plugin-composed: {decided} decisions");
        HeaderAction::Continue
    }
}
