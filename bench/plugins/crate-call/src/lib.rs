//! Benchmark plugin written directly on the `proxy-wasm` crate: one HTTP
//! call per request, the baseline a gatewit plugin is compared with
//! (`bench/plugins/gatewit-call` holds the same logic on the gatewit SDK,
//! `bench/plugins/floor-call` on the raw ABI).
//!
//! Per request:
//! - request headers: `GET /token` to cluster `bench-token`, pause;
//! - the call's answer: copy its `x-bench-token` header into the request,
//!   resume the request;
//! - response headers: add `x-gatewit-bench-response: 1`.

use std::time::Duration;

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

/// Generous: Envoy under callgrind runs some 50 times slower.
const TIMEOUT: Duration = Duration::from_secs(60);

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(Root) });
}}

struct Root;

impl Context for Root {}

impl RootContext for Root {
    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Call))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Call;

impl Context for Call {
    fn on_http_call_response(
        &mut self,
        _token: u32,
        _headers: usize,
        _body: usize,
        _trailers: usize,
    ) {
        if let Some(token) = self.get_http_call_response_header("x-bench-token") {
            self.add_http_request_header("x-bench-token", &token);
        }
        self.resume_http_request();
    }
}

impl HttpContext for Call {
    fn on_http_request_headers(&mut self, _headers: usize, _eos: bool) -> Action {
        let sent = self.dispatch_http_call(
            "bench-token",
            vec![
                (":method", "GET"),
                (":path", "/token"),
                (":authority", "token"),
            ],
            None,
            vec![],
            TIMEOUT,
        );
        match sent {
            Ok(_) => Action::Pause,
            Err(_) => Action::Continue,
        }
    }

    fn on_http_response_headers(&mut self, _headers: usize, _eos: bool) -> Action {
        self.add_http_response_header("x-gatewit-bench-response", "1");
        Action::Continue
    }
}
