//! Fixture: buffers the whole request body and upper-cases it; buffers the
//! whole response body and wraps it as `<<body>>` (prepend, then append).

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| Box::new(Root));
}}

struct Root;

impl Context for Root {}

impl RootContext for Root {
    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Body { seen: Vec::new() }))
    }
}

struct Body {
    seen: Vec<usize>,
}

impl Context for Body {}

impl HttpContext for Body {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.set_http_request_header("content-length", None);
        Action::Continue
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        self.seen.push(body_size);
        if !end_of_stream {
            return Action::Pause;
        }
        let body = self.get_http_request_body(0, body_size).unwrap_or_default();
        self.set_http_request_body(0, body_size, &body.to_ascii_uppercase());
        let sizes: Vec<String> = self.seen.iter().map(|s| s.to_string()).collect();
        let _ = proxy_wasm::hostcalls::log(
            LogLevel::Info,
            &format!("request body sizes seen: {}", sizes.join(",")),
        );
        Action::Continue
    }

    fn on_http_response_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            return Action::Pause;
        }
        self.set_http_response_body(0, 0, b"<<");
        self.set_http_response_body(body_size + 2, 0, b">>");
        Action::Continue
    }
}
