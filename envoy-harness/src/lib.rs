//! The real-Envoy tier of gatewit's tests, and the benchmark's Envoy driver.
//!
//! - [`Envoy`]: one `envoy --concurrency 1` process per test, on loopback
//!   ports chosen by the kernel, with a unique `--base-id`; killed on drop.
//!   [`Envoy::launch`] with a [`Launch`] can run it under a wrapper program
//!   (the benchmark's callgrind pass runs it under valgrind).
//! - [`EnvoyConfig`]: the bootstrap: an HTTP listener, an optional
//!   `envoy.filters.http.wasm` filter (V8), one route (to an upstream server
//!   or a `direct_response`), and the clusters a plugin calls, named exactly
//!   as the plugin names them.
//! - [`EnvoyGateway`]: implements the host shim's
//!   [`Gateway`](gatewit_test_kit::exchange::Gateway) so the scenario table
//!   runs on real Envoy too.
//! - [`RecordingUpstream`]: a loopback HTTP/1.1 server that records what it
//!   receives and answers scripted replies.
//!
//! # What Envoy 1.40 does (observed)
//!
//! - A plugin whose `proxy_on_configure` returns false: Envoy logs the
//!   plugin's own `proxy_log` lines (`[wasm] wasm log <vm_id>: …`), then `Wasm VM
//!   failed Failed to configure base Wasm plugin`, `Plugin gatewit failed to
//!   load`, and exits with `Unable to create Wasm plugin gatewit`. This
//!   happens while the static listener is created, before any request, and
//!   with every failure policy (`FAIL_CLOSED`, `FAIL_OPEN`, deprecated
//!   `fail_open: true`): there is no per-request 500 for a configuration
//!   rejected at startup. [`Envoy::start`] turns that exit into an error
//!   that quotes those lines.
//! - `PluginConfig.allow_on_headers_stop_iteration` exists in 1.40 (added
//!   in 1.35). Pause from `proxy_on_request_headers` (tested with
//!   `plugins/pause-probe`, `tests/pause.rs`):
//!   - unset (the default, what [`EnvoyOptions::default`] uses): Envoy stops
//!     the whole stream; no body callback runs, nothing reaches the router
//!     (so not even the route timeout fires), and a plugin that resumes only
//!     from a body callback hangs the request until the client gives up;
//!   - set: only the headers are held; body callbacks run (the probe saw
//!     the whole body) and may modify the held request headers before
//!     resuming.
//! - Both bench plugins and adapted gatewit plugins load with V8 from
//!   `code.local.filename`; the plugin's `proxy_log` output appears as
//!   `[wasm] wasm log <vm_id>: <message>` (`vm_id` is `gatewit` here).
#![deny(missing_docs)]

pub mod client;
mod config;
mod envoy;
mod gateway;
pub mod server;
mod upstream;
mod wire;
pub mod wrk;

pub use config::{Bind, EnvoyConfig, FailurePolicy, RouteTarget, WasmFilter};
pub use envoy::{
    Envoy, Launch, envoy_binary, log_fields, native_envoy_binary, plugin_log_line, relevant_lines,
};
pub use gateway::{EnvoyGateway, EnvoyOptions};
pub use upstream::{RecordingUpstream, Reply};
