//! The benchmark floor: the smallest module Envoy accepts as a proxy-wasm
//! v0.2.1 plugin. It exports the ABI marker and an allocator (from
//! `gatewit-bench-raw-abi`) and no callback, so Envoy runs its Wasm filter
//! machinery (context per stream, callbacks looked up and skipped) without
//! any plugin code. Every other bench plugin's cost is measured above this
//! one.
//!
//! Built for `wasm32-unknown-unknown` without `std` so nothing but those
//! exports ends up in the module.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![deny(missing_docs)]

// Linked for its exports alone.
use gatewit_bench_raw_abi as _;
