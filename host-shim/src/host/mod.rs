//! Host implementations of the imported WIT interfaces, one file each.

pub mod gateway;
pub mod http;
pub mod http_client;
pub mod log;
pub mod metrics;
pub mod properties;
pub mod redis;
pub mod shared_data;
pub mod time;

use wasmtime::component::Linker;

use crate::bindings::gatewit::plugin::types;
use crate::state::HostState;

impl types::Host for HostState {}

/// Adds every gatewit interface and WASI p2 to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    types::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(linker, |s| s)?;
    http::add_to_linker(linker)?;
    properties::add_to_linker(linker)?;
    http_client::add_to_linker(linker)?;
    redis::add_to_linker(linker)?;
    log::add_to_linker(linker)?;
    metrics::add_to_linker(linker)?;
    shared_data::add_to_linker(linker)?;
    time::add_to_linker(linker)?;
    gateway::add_to_linker(linker)?;
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    Ok(())
}
