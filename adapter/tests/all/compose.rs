//! Compositions: components that each own a memory, fused into one module
//! with generated canonical-ABI adapters and their memories lowered into
//! one (the `compose` golden case, run here; the real `wac plug` example
//! runs on every tier in the scenario table).

use crate::common::{self, host::*};

use anyhow::Result;
use gatewit_adapter::{AdaptError, adapt};
use std::path::Path;

fn golden_component() -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/compose/component.wat"),
    )?;
    Ok(wat::parse_str(&text)?)
}

/// The plugin passes `["ann", "bob"]` to the library, which joins them in
/// its own memory, logs the result through the glue, and answers
/// `ok("ann & bob")`; the plugin traps on any other answer.
#[test]
fn a_composed_call_moves_nested_lists_both_ways() -> Result<()> {
    let module = adapt(&golden_component()?, &common::options())?.module;
    let (mut s, i) = instantiate(&module)?;
    let tick = f::<i32, ()>(&mut s, &i, "proxy_on_tick");
    for _ in 0..3 {
        tick.call(&mut s, 1)?;
    }
    let logged: Vec<_> = s.data().logs.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(logged, ["ann & bob"; 3], "the library's log lines");
    // The library grew its memory by a page per call, in its region: the
    // memory is the plugin's region, the library's start and 3 pages more.
    let memory = i.get_memory(&mut s, "memory").expect("memory");
    let pages = memory.size(&s);
    let plugin = i
        .get_global(&mut s, "gatewit_plugin_pages")
        .expect("the plugin-region page count export")
        .get(&mut s)
        .i32();
    assert_eq!(plugin, Some(1), "the plugin's region did not grow");
    let cap = u64::from(gatewit_adapter::DEFAULT_MAX_MEMORY_PAGES);
    assert_eq!(pages, cap - cap / 4 + 1 + 3);
    Ok(())
}

/// What a composition cannot carry is refused by name.
#[test]
fn compositions_beyond_the_supported_shapes_are_refused_by_name() -> Result<()> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/compose/component.wat"),
    )?;
    // A string encoding other than UTF-8.
    let utf16 = text.replace(
        r#"(canon lower (func $names "greet") (memory $memory) (realloc $realloc))"#,
        r#"(canon lower (func $names "greet") (memory $memory) (realloc $realloc) string-encoding=utf16)"#,
    );
    assert_ne!(utf16, text);
    let e = adapt(&wat::parse_str(&utf16)?, &common::options()).unwrap_err();
    assert!(
        matches!(&e, AdaptError::UnsupportedShape(m) if m.contains("example:lib/names@0.1.0#greet") && m.contains("UTF16")),
        "{e}"
    );
    // A plugin whose memory cannot fit its region.
    let big = text.replace(
        "(memory (export \"memory\") 1)\n      (global $heap (mut i32) (i32.const 40000))",
        "(memory (export \"memory\") 7000)\n      (global $heap (mut i32) (i32.const 40000))",
    );
    assert_ne!(big, text);
    let e = adapt(&wat::parse_str(&big)?, &common::options()).unwrap_err();
    assert!(
        matches!(&e, AdaptError::UnsupportedShape(m) if m.contains("7000 pages")),
        "{e}"
    );
    Ok(())
}

/// The golden plugin, changed to store `7` at `addr` after its call.
fn storing_at(addr: u64) -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/compose/component.wat"),
    )?;
    let stray = text.replace(
        "(then unreachable))))",
        &format!("(then unreachable))\n        (i32.store (i32.const {addr}) (i32.const 7))))"),
    );
    assert_ne!(stray, text);
    Ok(wat::parse_str(&stray)?)
}

/// Without `check_bounds` a plugin's store past its pages lands in the
/// library's region (the plugin's region is unchecked, so its own accesses
/// cost nothing); with it, the store traps as past the end of a memory of
/// its own, and the library's region is untouched.
#[test]
fn checked_plugin_accesses_cannot_reach_the_library_region() -> Result<()> {
    let cap = u64::from(gatewit_adapter::DEFAULT_MAX_MEMORY_PAGES);
    let library = (cap - cap / 4) * 65536;
    let checked = gatewit_adapter::Options {
        check_bounds: true,
        ..common::options()
    };

    // Within its pages, checked or not, the plugin runs as before.
    let module = adapt(&storing_at(65532)?, &checked)?.module;
    let (mut s, i) = instantiate(&module)?;
    f::<i32, ()>(&mut s, &i, "proxy_on_tick").call(&mut s, 1)?;
    let memory = i.get_memory(&mut s, "memory").expect("memory");
    assert_eq!(memory.data(&s)[65532], 7);
    assert_eq!(s.data().logs.len(), 1, "the library's log line");

    // Past them, unchecked: the library's first byte is overwritten.
    let module = adapt(&storing_at(library)?, &common::options())?.module;
    let (mut s, i) = instantiate(&module)?;
    f::<i32, ()>(&mut s, &i, "proxy_on_tick").call(&mut s, 1)?;
    let memory = i.get_memory(&mut s, "memory").expect("memory");
    assert_eq!(memory.data(&s)[library as usize], 7);

    // Checked: an out-of-bounds trap, just past the plugin's one page.
    for addr in [65533, library] {
        let module = adapt(&storing_at(addr)?, &checked)?.module;
        let (mut s, i) = instantiate(&module)?;
        let e = f::<i32, ()>(&mut s, &i, "proxy_on_tick")
            .call(&mut s, 1)
            .unwrap_err();
        let trap = e.downcast_ref::<wasmtime::Trap>();
        assert_eq!(trap, Some(&wasmtime::Trap::MemoryOutOfBounds), "{e:?}");
        let memory = i.get_memory(&mut s, "memory").expect("memory");
        assert_eq!(memory.data(&s)[library as usize], 0);
    }
    Ok(())
}

/// A library that panics mid-call leaves its shadow-stack pointer down by
/// its live frame (32 KiB here, half its memory); the panic recovery puts
/// it back with the plugin's, so three panics in a row leave the library
/// serving the fourth call. Without that, the third call's frame would sit
/// below address 0 and trap.
#[test]
fn a_library_panic_restores_the_library_stack() -> Result<()> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/compose/component.wat"),
    )?;
    let panicky = text
        .replace(
            r#"(data (i32.const 16) " & ")"#,
            r#"(global $__stack_pointer (mut i32) (i32.const 65536))
      (global $calls (mut i32) (i32.const 0))
      (data (i32.const 16) " & ")"#,
        )
        // The plugin has a stack pointer of its own, too.
        .replace(
            r#"(data (i32.const 1024) "annbob")"#,
            r#"(global $__stack_pointer (mut i32) (i32.const 32768))
      (data (i32.const 1024) "annbob")"#,
        )
        .replace(
            "(local $len0 i32) (local $len1 i32) (local $out i32)",
            "(local $len0 i32) (local $len1 i32) (local $out i32)
        (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (i32.const 32768)))
        (i32.store (global.get $__stack_pointer) (i32.const 1))
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (if (i32.le_u (global.get $calls) (i32.const 3)) (then unreachable))",
        )
        .replace(
            "(i32.const 512))\n      (func (export \"cabi_post_",
            "(global.set $__stack_pointer (i32.add (global.get $__stack_pointer) (i32.const 32768)))
        (i32.const 512))\n      (func (export \"cabi_post_",
        );
    assert_eq!(panicky.matches("$__stack_pointer").count(), 7);
    let module = adapt(&wat::parse_str(&panicky)?, &common::options())?.module;
    let (mut s, i) = instantiate(&module)?;
    let tick = f::<i32, ()>(&mut s, &i, "proxy_on_tick");
    for _ in 0..4 {
        tick.call(&mut s, 1)?;
    }
    let logged: Vec<_> = s.data().logs.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        logged.iter().filter(|l| **l == "ann & bob").count(),
        1,
        "{logged:?}"
    );
    assert_eq!(
        logged.iter().filter(|l| l.contains("panicked")).count(),
        3,
        "{logged:?}"
    );
    Ok(())
}
