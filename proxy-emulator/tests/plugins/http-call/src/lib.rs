//! Fixture: pauses each request, asks the cluster named by the plugin config
//! for `/token`, copies the answer into `x-token` and resumes; a failed call
//! becomes a local 503 and a rejected dispatch a local 500.

use std::time::Duration;

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| Box::new(Root { cluster: String::new() }));
}}

struct Root {
    cluster: String,
}

impl Context for Root {}

impl RootContext for Root {
    fn on_configure(&mut self, _size: usize) -> bool {
        let config = self.get_plugin_configuration().unwrap_or_default();
        self.cluster = String::from_utf8_lossy(&config)
            .trim_matches('"')
            .to_string();
        true
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Caller {
            cluster: self.cluster.clone(),
        }))
    }
}

struct Caller {
    cluster: String,
}

impl Context for Caller {
    fn on_http_call_response(
        &mut self,
        _token: u32,
        num_headers: usize,
        _body_size: usize,
        _num_trailers: usize,
    ) {
        if num_headers == 0 {
            self.send_http_response(503, vec![("x-call", "failed")], Some(b"call failed"));
            return;
        }
        let status = self
            .get_http_call_response_header(":status")
            .unwrap_or_default();
        let body = self
            .get_http_call_response_body(0, usize::MAX)
            .unwrap_or_default();
        self.set_http_request_header("x-token", Some(&String::from_utf8_lossy(&body)));
        self.set_http_request_header("x-call-status", Some(&status));
        self.resume_http_request();
    }
}

impl HttpContext for Caller {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let path = self.get_http_request_header(":path").unwrap_or_default();
        let timeout = if path.contains("slow") {
            Duration::from_millis(300)
        } else {
            Duration::from_secs(5)
        };
        let headers = vec![
            (":method", "POST"),
            (":path", "/token"),
            (":authority", "auth.local"),
            ("x-from", "plugin"),
        ];
        match self.dispatch_http_call(
            &self.cluster.clone(),
            headers,
            Some(b"give me a token"),
            vec![],
            timeout,
        ) {
            Ok(_) => Action::Pause,
            Err(status) => {
                let body = format!("dispatch failed: {status:?}");
                self.send_http_response(500, vec![], Some(body.as_bytes()));
                Action::Pause
            }
        }
    }
}
