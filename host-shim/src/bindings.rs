//! Host bindings generated from `wit/` (world `gatewit:plugin/plugin`).
#![allow(
    missing_docs,
    reason = "wasmtime's bindgen output, generated from `wit/`"
)]

wasmtime::component::bindgen!({
    world: "plugin",
    path: "../wit",
});

pub use gatewit::plugin::types::{
    BodyAction, BodyKind, HeaderAction, LogLevel, MapKind, MetricKind, StatusError,
};
