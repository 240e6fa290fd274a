//! Fixture: answers `/deny*` locally with 403 from the request headers,
//! `/late*` locally from the response headers, and marks every response it
//! sees (including its own local replies) with `x-resp-phase`.

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
        Some(Box::new(Replier {
            path: String::new(),
        }))
    }
}

struct Replier {
    path: String,
}

impl Context for Replier {}

impl HttpContext for Replier {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.path = self.get_http_request_header(":path").unwrap_or_default();
        if self.path.starts_with("/deny") {
            self.send_http_response(403, vec![("x-deny", "1")], Some(b"denied"));
            return Action::Pause;
        }
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.set_http_response_header("x-resp-phase", Some("seen"));
        if self.path.starts_with("/late") {
            self.send_http_response(502, vec![("x-late", "1")], Some(b"late reply"));
            return Action::Pause;
        }
        Action::Continue
    }
}
