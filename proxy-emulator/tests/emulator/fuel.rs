//! Fuel: what `fuel_used` counts (the plugin's own work in a callback,
//! `malloc` run from inside a hostcall included) and that it is exact.

use super::*;

/// A plugin whose `malloc` spins 100 loop turns per byte asked for, and
/// whose request-headers callback reads header `x-spin`: the only fuel
/// that depends on the request is burnt inside `malloc`, which the host
/// runs from inside a hostcall.
const SPIN_WAT: &str = r#"
(module
  (import "env" "proxy_get_header_map_value"
(func $get (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "x-spin")
  (global $bump (mut i32) (i32.const 1024))
  (func (export "malloc") (param $size i32) (result i32)
(local $p i32)
(local $i i32)
(local.set $i (i32.mul (local.get $size) (i32.const 100)))
(block $done
  (loop $spin
    (br_if $done (i32.eqz (local.get $i)))
    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
    (br $spin)))
(local.set $p (global.get $bump))
(global.set $bump (i32.add (global.get $bump) (local.get $size)))
(local.get $p))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
(drop (call $get (i32.const 0) (i32.const 16) (i32.const 6) (i32.const 32) (i32.const 36)))
(i32.const 0)))
"#;

const NO_CALLBACKS_WAT: &str = r#"
(module
  (memory (export "memory") 1)
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_abi_version_0_2_1")))
"#;

fn fuel_for(emulator: &mut Emulator, request: &HttpRequest) -> u64 {
    let before = emulator.fuel_used();
    emulator
        .exchange(request, &UpstreamResponse::default())
        .expect("exchange");
    emulator.fuel_used() - before
}

#[test]
fn fuel_used_counts_callbacks_and_the_malloc_they_cause() {
    let module = wat::parse_str(SPIN_WAT).expect("valid wat");
    let mut emulator = Emulator::new(&module, &GatewaySetup::default()).expect("loads");
    let plain = HttpRequest::get("example.com", "/");
    let called = emulator.callbacks_called();
    let idle = fuel_for(&mut emulator, &plain);
    assert!(idle > 0, "the callback itself burns fuel");
    assert_eq!(
        emulator.callbacks_called(),
        called + 1,
        "one exported callback"
    );
    // Deterministic: the same request burns the same fuel.
    assert_eq!(fuel_for(&mut emulator, &plain), idle);
    // Each loop turn is several instructions, so 100 turns per byte are
    // well over 100 units per byte.
    let short = fuel_for(&mut emulator, &plain.clone().header("x-spin", "0123456789"));
    assert!(
        short >= idle + 10 * 100,
        "idle {idle}, 10-byte value {short}"
    );
    let long = fuel_for(
        &mut emulator,
        &plain.clone().header("x-spin", "01234567890123456789"),
    );
    assert!(
        long >= short + 10 * 100,
        "10-byte value {short}, 20-byte value {long}"
    );
}

#[test]
fn fuel_used_is_zero_without_callbacks() {
    let module = wat::parse_str(NO_CALLBACKS_WAT).expect("valid wat");
    let mut emulator = Emulator::new(&module, &GatewaySetup::default()).expect("loads");
    assert_eq!(emulator.fuel_used(), 0);
    assert_eq!(emulator.callbacks_called(), 0);
    let request = HttpRequest::get("example.com", "/").header("x-a", "1");
    emulator
        .exchange(&request, &UpstreamResponse::default())
        .expect("exchange");
    assert_eq!(emulator.fuel_used(), 0);
}
