//! The emulator against real proxy-wasm modules: fixtures built on the
//! `proxy-wasm` crate, a raw Higress-ABI Redis fixture, and hand-written WAT.
//! One binary: `basics` (module shape, traps, hostcalls, limits), `calls`
//! (HTTP and Redis against real servers), `flow` (ticks, initialisation,
//! pauses, actions, WASI, shared queues), `fuel` (what `fuel_used` counts).

#[path = "../common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{dead_addr, fixture};
use gatewit_host_shim::exchange::{Clusters, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_proxy_emulator::{CallRecord, Emulator, EmulatorOptions, HostProfile, LogLevel};
use gatewit_test_kit::http_server::{Reply, TestServer};
use gatewit_test_kit::redis_server::RedisServer;
use serde_json::json;

/// The WAT of a bump allocator exported as `malloc` (from 1024 up) and the
/// ABI version marker: the part every hand-written test module shares.
macro_rules! bump_malloc_and_abi {
    () => {
        r#"  (global $bump (mut i32) (i32.const 1024))
  (func (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get $size)))
    (local.get $p))
  (func (export "proxy_abi_version_0_2_1"))
"#
    };
}

const EMPTY_WAT: &str = concat!(
    r#"
(module
  (memory (export "memory") 1)
"#,
    bump_malloc_and_abi!(),
    r#")
"#
);

fn setup(config: serde_json::Value) -> GatewaySetup {
    GatewaySetup {
        plugin_config: config,
        ..GatewaySetup::default()
    }
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid wat")
}

fn err_text(e: anyhow::Error) -> String {
    format!("{e:#}")
}

mod basics;
mod calls;
mod flow;
mod fuel;
