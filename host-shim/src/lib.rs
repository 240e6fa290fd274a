//! gatewit host shim: runs gatewit plugin components natively under wasmtime.
//!
//! - [`backend`], [`exchange`]: the tiers' shared vocabulary and real
//!   backends, from `gatewit-test-kit` (re-exported under their old paths);
//! - [`harness`]: one plugin instance driven request by request;
//! - [`gateway`]: the [`exchange::Gateway`] implementation (whole exchanges);
//! - [`host`]: the host side of each WIT interface.
#![deny(missing_docs)]

pub mod bindings;
mod engine;
pub mod fake_redis;
pub mod foreign;
pub mod gateway;
pub mod harness;
pub mod hooks;
pub mod host;
mod state;

pub use engine::{ComponentSource, PluginComponent};
pub use gateway::ShimGateway;
pub use gatewit_test_kit::{backend, exchange};
pub use harness::{PluginHost, PluginHostBuilder, Stream};
pub use state::HostState;
