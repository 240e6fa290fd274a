//! The runtime between the exported WIT callbacks and a [`Plugin`]
//! (laid out as proxy-wasm-rust-sdk's dispatcher):
//!
//! - [`instance`]: who this instance is and which callback is running;
//! - [`registry`]: the configuration in force, the live requests'
//!   contexts and the outbound calls' callbacks;
//! - [`ticks`]: tick functions on the host's one timer;
//! - [`dispatch`]: one phase of one request, from the host's call to the
//!   plugin's method and back;
//! - [`exports`]: the `guest` interface itself, at the bottom.
//!
//! State lives in thread-locals (a plugin instance is single-threaded).
//!
//! [`Plugin`]: crate::Plugin

mod dispatch;
mod exports;
mod instance;
mod registry;
mod ticks;

pub use exports::Glue;
pub(crate) use instance::{
    current_context, plugin_id, plugin_name, request_id, response_phases_enabled,
};
pub(crate) use registry::{RedisCallback, register_http_callback, register_redis_callback};
pub use ticks::register_tick;
