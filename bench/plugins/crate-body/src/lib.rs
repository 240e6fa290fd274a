//! Benchmark plugin on the `proxy-wasm` crate: the body logic of
//! `bench/plugins/body-logic` (buffered JSON rewrite of the request body,
//! streaming uppercase of the response body), as `floor-body` does on the
//! raw ABI and `gatewit-body` on the gatewit SDK.

use gatewit_bench_body_logic::{PAGES_HEADER, memory_pages, rewrite_json, uppercase};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(Root) });
}}

struct Root;

impl Context for Root {}

impl RootContext for Root {
    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Body))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Body;

impl Context for Body {}

impl HttpContext for Body {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        // The rewritten body has another length.
        self.set_http_request_header("content-length", None);
        Action::Continue
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            return Action::Pause;
        }
        let body = self.get_http_request_body(0, body_size).unwrap_or_default();
        match rewrite_json(&body) {
            Some(new_body) => self.set_http_request_body(0, body_size, &new_body),
            None => {
                self.send_http_response(400, vec![], Some(b"request body is not a JSON object"))
            }
        }
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.add_http_response_header(PAGES_HEADER, &memory_pages().to_string());
        Action::Continue
    }

    fn on_http_response_body(&mut self, body_size: usize, _end_of_stream: bool) -> Action {
        if body_size > 0
            && let Some(mut chunk) = self.get_http_response_body(0, body_size)
        {
            uppercase(&mut chunk);
            self.set_http_response_body(0, body_size, &chunk);
        }
        Action::Continue
    }
}
