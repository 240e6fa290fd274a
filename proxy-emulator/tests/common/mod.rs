//! Test helpers: the fixture plugins (built once per run) and a dead
//! loopback address. The HTTP server and `redis-server` manager are the
//! shared ones of `gatewit-tests`.

#![allow(
    dead_code,
    reason = "each test file of the binary uses a part of the common helpers"
)]

use std::net::{SocketAddr, TcpListener};

/// The bytes of fixture plugin `name` (a directory under `tests/plugins`),
/// built for `wasm32-wasip1` once per test run.
pub fn fixture(name: &str) -> Vec<u8> {
    let package = format!("gatewit-emu-fixture-{name}");
    gatewit_test_programs::bytes(&package, gatewit_test_programs::WASIP1_TARGET)
        .unwrap_or_else(|e| panic!("fixture `{name}`: {e:#}"))
}

/// A loopback address nothing listens on.
pub fn dead_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    addr
}
