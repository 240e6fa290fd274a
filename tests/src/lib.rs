//! Shared helpers for the end-to-end tests, reused by every tier:
//!
//! - [`adapted`]: the examples adapted to proxy-wasm modules, and built the
//!   wasip1 way;
//! - [`plugins`]: builds the wasm plugins (components and plain proxy-wasm
//!   modules) once per test run;
//! - [`http_server`]: a scripted HTTP/1.1 server on loopback;
//! - [`redis_server`]: a real `redis-server` on a free loopback port (from
//!   the Envoy harness, which `gatewit test` shares);
//! - [`scenarios`]: the scenario table every tier runs;
//! - [`scenario_tests!`]: one test per scenario, for any tier.
#![deny(missing_docs)]

pub mod adapted;
pub use gatewit_test_kit::http_server;
pub mod panics;
pub mod plugins;
pub use gatewit_test_kit::redis_server;
pub mod scenarios;
pub mod tier_tests;
