//! Benchmark plugin on the gatewit SDK: the body logic of
//! `bench/plugins/body-logic` (buffered JSON rewrite of the request body,
//! streaming uppercase of the response body), as `floor-body` does on the
//! raw ABI and `crate-body` on the `proxy-wasm` crate. Built for
//! `wasm32-wasip2` and adapted with `gatewit adapt`.

use gatewit_bench_body_logic::{PAGES_HEADER, memory_pages, rewrite_json, uppercase};
use gatewit_sdk::{DataAction, HeaderAction, HttpContext, NoConfig, Plugin, log_error};

/// The plugin.
pub struct GatewitBody;

#[gatewit_sdk::plugin]
impl Plugin for GatewitBody {
    type Config = NoConfig;

    fn on_request_headers(ctx: &mut HttpContext, _: &NoConfig) -> HeaderAction {
        // The rewritten body has another length.
        if let Err(e) = ctx.remove_request_header("content-length") {
            log_error!("removing `content-length`: {e}");
        }
        HeaderAction::Continue
    }

    fn on_request_body(ctx: &mut HttpContext, _: &NoConfig, body: &[u8]) -> DataAction {
        let result = match rewrite_json(body) {
            Some(new_body) => ctx.replace_request_body(&new_body),
            None => ctx.send_http_response(400, &[], "request body is not a JSON object"),
        };
        if let Err(e) = result {
            log_error!("answering the request body: {e}");
        }
        DataAction::Continue
    }

    fn on_response_headers(ctx: &mut HttpContext, _: &NoConfig) -> HeaderAction {
        if let Err(e) = ctx.add_response_header(PAGES_HEADER, &memory_pages().to_string()) {
            log_error!("adding `{PAGES_HEADER}`: {e}");
        }
        HeaderAction::Continue
    }

    fn on_streaming_response_body(
        _: &mut HttpContext,
        _: &NoConfig,
        mut chunk: Vec<u8>,
        _is_last: bool,
    ) -> Vec<u8> {
        uppercase(&mut chunk);
        chunk
    }
}
