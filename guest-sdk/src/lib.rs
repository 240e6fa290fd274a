//! # gatewit-sdk
//!
//! Write API-gateway plugins (Envoy, Higress) in Rust against the typed
//! `gatewit:plugin` WIT world. The API follows Higress's Go `wrapper`
//! package: a typed configuration with per-route/domain/service rules,
//! phase methods that default to "continue", a per-request [`HttpContext`],
//! an [`HttpClient`] over the gateway's clusters, a [`RedisClient`], logging
//! macros, metrics, shared data and queues, and tick timers.
//!
//! Build a plugin as a `cdylib` for `wasm32-wasip2`; the result is a
//! component that the gatewit host shim runs directly and that the gatewit
//! adapter turns into a proxy-wasm module for Envoy or Higress.
//!
//! ## Example
//!
//! ```no_run
//! use gatewit_sdk::{HeaderAction, HttpClient, HttpContext, Plugin, StaticIpCluster};
//! use gatewit_sdk::{log_error, log_info};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "camelCase")]
//! struct Config {
//!     token_header: String,
//!     #[serde(default)]
//!     mock_enable: bool,
//!     #[serde(skip, default = "token_client")]
//!     client: HttpClient,
//! }
//!
//! fn token_client() -> HttpClient {
//!     HttpClient::new(StaticIpCluster {
//!         service_name: "token".into(),
//!         port: 80,
//!         ..Default::default()
//!     })
//! }
//!
//! struct TokenPlugin;
//!
//! #[gatewit_sdk::plugin]
//! impl Plugin for TokenPlugin {
//!     type Config = Config;
//!
//!     fn on_request_headers(ctx: &mut HttpContext, config: &Config) -> HeaderAction {
//!         if config.mock_enable {
//!             let _ = ctx.send_http_response(200, &[], "hello world");
//!             return HeaderAction::Continue;
//!         }
//!         let header = config.token_header.clone();
//!         let sent = config.client.get("/token", &[], move |ctx, resp| {
//!             if resp.status != 200 {
//!                 log_error!("http call failed, status: {}", resp.status);
//!                 let _ = ctx.send_http_response(500, &[], "http call failed");
//!                 return;
//!             }
//!             if let Some(token) = resp.header(&header) {
//!                 let _ = ctx.add_request_header(&header, token);
//!             }
//!             let _ = ctx.resume_request();
//!         });
//!         match sent {
//!             Ok(()) => HeaderAction::Pause,
//!             Err(e) => {
//!                 log_info!("token call not sent: {e}");
//!                 HeaderAction::Continue
//!             }
//!         }
//!     }
//! }
//! ```
//!
//! ## Phases and body modes
//!
//! Implement only the [`Plugin`] methods you need; the
//! [`#[gatewit_sdk::plugin]`](macro@plugin) attribute records which ones in
//! the module's `gatewit:hooks` custom section so hosts skip the others.
//! Defining `on_request_body` selects the **buffered** mode (the SDK pauses
//! until the end of the stream and hands over the whole body); defining
//! `on_streaming_request_body` selects the **streaming** mode (each chunk is
//! replaced by what the method returns). With both, streaming is the default
//! and [`HttpContext::buffer_request_body`] switches one request to buffered.
//! The same holds for responses.
//!
//! ## Route calls
//!
//! [`HttpContext::route_call`] (Higress `RouteCall`) sends the current
//! request, rewritten, to another path (or host) on its own route and hands
//! the upstream's whole answer to a callback that shapes the client's
//! answer; see [`route_call`] for what it needs from the gateway.
//!
//! ## Rules
//!
//! ```json
//! {"tokenHeader": "x-token",
//!  "_rules_": [{"_match_route_": ["route-a"], "tokenHeader": "x-a"},
//!              {"_match_domain_": ["*.example.com"], "mockEnable": true}]}
//! ```
//!
//! A rule's config is the global config with the rule's keys on top; the
//! first matching rule wins; without a match the global config applies; a
//! configuration made only of rules skips the plugin for requests that match
//! no rule. `_plugin_id_` is removed and used as the log id.
#![deny(missing_docs)]

extern crate self as gatewit_sdk;

#[doc(hidden)]
#[allow(
    missing_docs,
    clippy::all,
    reason = "wit-bindgen's generated code, regenerated from `wit/` on every build"
)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin",
        default_bindings_module: "gatewit_sdk::bindings",
        runtime_path: "gatewit_sdk::__private::wit_bindgen_rt",
        ownership: Borrowing { duplicate_if_necessary: true },
    });
}

mod access_log;
mod body_kind;
mod context;
pub mod gateway;
mod host;
pub mod http_client;
pub mod leader;
pub mod log;
pub mod metrics;
mod panic;
mod plugin;
mod rebuild;
mod redact;
pub mod redis;
pub mod route_call;
mod rules;
mod runtime;
pub mod shared_data;
pub mod sse;
mod status;

pub use access_log::go_json_marshal;
pub use context::{HeaderMap, HttpContext, Phase};
pub use gatewit_sdk_macros::plugin;
pub use http_client::{
    CallFailure, Cluster, ConsulCluster, DnsCluster, FqdnCluster, HttpClient, HttpResponse,
    K8sCluster, NacosCluster, RouteCluster, StaticIpCluster, TargetCluster,
};
pub use plugin::{DataAction, HeaderAction, NoConfig, Plugin, PluginContext, hooks, parse_json};
pub use redis::{RedisClient, RedisError, RedisOptions};
pub use route_call::{RouteCallError, RouteResponse};
pub use runtime::register_tick;
pub use shared_data::SharedQueue;
pub use status::Status;

/// Wall-clock time from the host.
pub fn now() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_nanos(host::now_nanos())
}

/// Wall-clock time from the host, in nanoseconds since the Unix epoch.
pub fn now_nanos() -> u64 {
    host::now_nanos()
}

/// Read a gateway property of the current request (e.g. `&["route_name"]`).
pub fn get_property(path: &[&str]) -> Option<Vec<u8>> {
    host::get_property(path)
}

/// Read a map-valued gateway property (e.g. `&["request", "headers"]`) as
/// its pairs (Go's `GetPropertyMap`); `None` when it is absent or not a
/// serialized map.
pub fn get_property_map(path: &[&str]) -> Option<Vec<(String, String)>> {
    let raw = host::get_property(path)?;
    let pairs = gatewit_abi::pairs::deserialize(&raw).ok()?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Some(pairs.into_iter().map(|(k, v)| (text(k), text(v))).collect())
}

/// Set a gateway property of the current request.
pub fn set_property(path: &[&str], value: &[u8]) -> Result<(), Status> {
    host::set_property(path, value)
}

#[doc(hidden)]
pub mod __private {
    pub use crate::access_log::{go_sprint, merged_value as access_log_value};
    pub use crate::rules::{match_for_parity, parse_for_fuzzing};
    pub use crate::runtime::Glue;
    pub use wit_bindgen::rt as wit_bindgen_rt;
}

#[cfg(test)]
mod macro_tests {
    use crate::{DataAction, HttpContext, NoConfig, Plugin, hooks};

    struct Buffered;

    #[crate::plugin(name = "buffered")]
    impl Plugin for Buffered {
        type Config = NoConfig;

        fn on_request_body(_: &mut HttpContext, _: &NoConfig, _: &[u8]) -> DataAction {
            DataAction::Continue
        }

        fn on_streaming_response_body(
            _: &mut HttpContext,
            _: &NoConfig,
            chunk: Vec<u8>,
            _: bool,
        ) -> Vec<u8> {
            chunk
        }
    }

    #[test]
    fn macro_bits_match_sdk_constants() {
        let bits = <Buffered as Plugin>::__HOOKS;
        // The body methods bring the headers phases that decide whether
        // they run.
        let expected = hooks::PLUGIN_START
            | hooks::REQUEST_HEADERS
            | hooks::RESPONSE_HEADERS
            | hooks::REQUEST_BODY
            | hooks::RESPONSE_BODY
            | hooks::REQUEST_DONE
            | hooks::TICK
            | hooks::HTTP_CALL_RESPONSE
            | hooks::REDIS_CALL_RESPONSE
            | hooks::BUFFERED_REQUEST_BODY
            | hooks::STREAMING_RESPONSE_BODY;
        assert_eq!(bits, expected);
        assert_eq!(hooks::section(bits), 0xf6d);
        assert_eq!(<Buffered as Plugin>::__NAME, "buffered");
    }

    #[test]
    fn queue_ready_is_bit_12_and_only_when_defined() {
        // The macro's side (bit set when `on_queue_ready` is defined) is
        // tested in `gatewit-sdk-macros`: one crate exports one plugin.
        assert_eq!(hooks::QUEUE_READY, 1 << 12);
        assert_eq!(<Buffered as Plugin>::__HOOKS & hooks::QUEUE_READY, 0);
        assert_eq!(hooks::section(u32::MAX), hooks::ALL_CALLBACKS);
    }
}
