//! Probes Envoy's pause semantics. A request carrying `x-pause: 1` is paused
//! in the request-headers callback; every body callback is counted, and at
//! the end of the body the plugin adds `x-body-callbacks: <n>` and
//! `x-body-bytes: <n>` to the request and resumes it. If Envoy withholds the
//! body callbacks while headers are paused, the request never resumes.

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
        Some(Box::new(Probe {
            paused: false,
            callbacks: 0,
            bytes: 0,
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Probe {
    paused: bool,
    callbacks: usize,
    bytes: usize,
}

impl Context for Probe {}

impl HttpContext for Probe {
    fn on_http_request_headers(&mut self, _num_headers: usize, end_of_stream: bool) -> Action {
        if end_of_stream || self.get_http_request_header("x-pause").is_none() {
            return Action::Continue;
        }
        self.paused = true;
        Action::Pause
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        self.callbacks += 1;
        self.bytes = body_size;
        if !end_of_stream {
            // Buffer until the whole body is there.
            return Action::Pause;
        }
        if self.paused {
            self.set_http_request_header("x-body-callbacks", Some(&self.callbacks.to_string()));
            self.set_http_request_header("x-body-bytes", Some(&self.bytes.to_string()));
        }
        Action::Continue
    }
}
