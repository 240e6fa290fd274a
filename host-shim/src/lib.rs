//! gatewit host shim: runs gatewit plugin components natively under wasmtime.
//!
//! - [`backend`]: real HTTP/1.1 and Redis backends (reused by other tiers);
//! - [`harness`]: one plugin instance driven request by request;
//! - [`gateway`]: the [`exchange::Gateway`] implementation (whole exchanges);
//! - [`host`]: the host side of each WIT interface.
#![deny(missing_docs)]

pub mod backend;
pub mod bindings;
mod engine;
pub mod exchange;
pub mod fake_redis;
pub mod foreign;
pub mod gateway;
pub mod harness;
pub mod hooks;
pub mod host;
mod state;

pub use engine::{ComponentSource, PluginComponent};
pub use gateway::ShimGateway;
pub use harness::{PluginHost, PluginHostBuilder, Stream};
pub use state::HostState;
