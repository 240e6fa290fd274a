//! Benchmark plugin written directly on the `proxy-wasm` crate: the baseline a
//! gatewit plugin is compared with (`bench/plugins/gatewit-headers` holds the
//! same logic on the gatewit SDK).
//!
//! Logic, per request:
//! - request headers: add `x-gatewit-bench: 1`, read `user-agent` and
//!   `x-bench` (the values are only looked at, as a plugin deciding on them
//!   would);
//! - response headers: add `x-gatewit-bench-response: <value>` where the
//!   value comes from the plugin configuration (default `1`).
//!
//! Configuration (JSON, optional): `{"response_value": "<string>"}`. Anything
//! else (not JSON, unknown fields, wrong types) is rejected: `on_configure`
//! logs the reason and returns `false`, which the Envoy tests use to check how
//! a rejected configuration is reported.

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};
use serde::Deserialize;
use std::rc::Rc;

/// The plugin configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Value of the response header the plugin adds.
    #[serde(default = "default_response_value")]
    response_value: String,
}

fn default_response_value() -> String {
    "1".to_owned()
}

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> {
        Box::new(Root { response_value: Rc::from("1") })
    });
}}

struct Root {
    response_value: Rc<str>,
}

impl Context for Root {}

impl RootContext for Root {
    fn on_configure(&mut self, _size: usize) -> bool {
        let bytes = self.get_plugin_configuration().unwrap_or_default();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        match serde_json::from_slice::<Config>(&bytes) {
            Ok(config) => {
                self.response_value = Rc::from(config.response_value);
                true
            }
            Err(err) => {
                proxy_wasm::hostcalls::log(
                    LogLevel::Error,
                    &format!("crate-headers: invalid plugin configuration: {err}"),
                )
                .ok();
                false
            }
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Headers {
            response_value: Rc::clone(&self.response_value),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Headers {
    response_value: Rc<str>,
}

impl Context for Headers {}

impl HttpContext for Headers {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.add_http_request_header("x-gatewit-bench", "1");
        // Read the two headers a real plugin would decide on; black_box keeps
        // the reads from being optimised away.
        let user_agent = self.get_http_request_header("user-agent");
        let bench = self.get_http_request_header("x-bench");
        std::hint::black_box((user_agent, bench));
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.add_http_response_header("x-gatewit-bench-response", &self.response_value);
        Action::Continue
    }
}
