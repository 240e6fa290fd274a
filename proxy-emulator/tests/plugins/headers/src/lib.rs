//! Fixture: reads, adds, replaces and removes headers; reads properties;
//! counts requests in a metric and in shared data; rejects config `reject`.

use proxy_wasm::hostcalls;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel, MetricType};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| Box::new(Root { tag: String::new(), metric: 0 }));
}}

struct Root {
    tag: String,
    metric: u32,
}

impl Context for Root {}

impl RootContext for Root {
    fn on_configure(&mut self, _size: usize) -> bool {
        let config = self.get_plugin_configuration().unwrap_or_default();
        let config = String::from_utf8_lossy(&config).into_owned();
        if config.contains("reject") {
            let _ = hostcalls::log(
                LogLevel::Error,
                "config rejected: `reject` is not a valid tag",
            );
            return false;
        }
        self.tag = config.trim_matches('"').to_string();
        self.metric =
            hostcalls::define_metric(MetricType::Counter, "emu_requests_total").unwrap_or(0);
        true
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Headers {
            context_id,
            tag: self.tag.clone(),
            metric: self.metric,
            path: String::new(),
        }))
    }
}

struct Headers {
    context_id: u32,
    tag: String,
    metric: u32,
    path: String,
}

impl Context for Headers {}

impl HttpContext for Headers {
    fn on_http_request_headers(&mut self, num_headers: usize, _end_of_stream: bool) -> Action {
        let _ = hostcalls::increment_metric(self.metric, 1);
        let (count, cas) = self.get_shared_data("emu-count");
        let n: u64 = count
            .and_then(|c| String::from_utf8(c).ok())
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let _ = self.set_shared_data("emu-count", Some((n + 1).to_string().as_bytes()), cas);
        let _ = hostcalls::log(
            LogLevel::Info,
            &format!(
                "ctx {} sees {} request headers",
                self.context_id, num_headers
            ),
        );
        self.path = self.get_http_request_header(":path").unwrap_or_default();
        self.add_http_request_header("x-emu-tag", &self.tag.clone());
        if let Some(v) = self.get_http_request_header("x-in") {
            self.add_http_request_header("x-in-echo", &v);
        }
        self.set_http_request_header("x-replace-me", Some("replaced"));
        self.set_http_request_header("x-remove-me", None);
        let route = self
            .get_property(vec!["route_name"])
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        self.add_http_request_header("x-route", &route.unwrap_or_else(|| "none".into()));
        let cluster = self
            .get_property(vec!["cluster_name"])
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        self.add_http_request_header("x-cluster", &cluster.unwrap_or_else(|| "none".into()));
        let count = self.get_http_request_headers().len();
        self.add_http_request_header("x-count", &count.to_string());
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let path = self.path.clone();
        self.add_http_response_header("x-saw-path", &path);
        let upstream_status = self.get_http_response_header(":status").unwrap_or_default();
        self.add_http_response_header("x-upstream-status", &upstream_status);
        self.set_http_response_header("content-type", Some("text/emulated"));
        Action::Continue
    }
}
