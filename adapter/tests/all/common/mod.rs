//! Shared helpers: build deterministic plugin components from hand-written
//! core modules, so golden inputs do not depend on a toolchain.
#![allow(
    dead_code,
    reason = "each test file of the binary uses a part of the common helpers"
)]

pub mod host;

use anyhow::{Context, Result};
use std::path::Path;
use wit_component::{ComponentEncoder, StringEncoding, embed_component_metadata};
use wit_parser::Resolve;

/// The gatewit WIT directory.
pub fn wit_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit")
}

/// Turn a core module (WAT text) into a component of `world`. `extra` is a
/// WIT file (pushed after the gatewit package) that may define the world.
pub fn component(wat: &str, extra: Option<&str>, world: &str) -> Result<Vec<u8>> {
    let mut module = wat::parse_str(wat).context("module.wat does not parse")?;
    let mut resolve = Resolve::default();
    let (gatewit, _) = resolve.push_dir(wit_dir())?;
    let pkg = match extra {
        Some(text) => resolve.push_str("world.wit", text)?,
        None => gatewit,
    };
    let world = resolve.select_world(&[pkg], Some(world))?;
    embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)?;
    ComponentEncoder::default()
        .validate(true)
        .module(&module)?
        .encode()
}

/// The default world.
pub fn plugin_component(wat: &str) -> Result<Vec<u8>> {
    component(wat, None, "plugin")
}

/// Adapter options for outputs that run under wasmtime here: its panic
/// handlers in the standard exception encoding (wasmtime does not run the
/// legacy one that V8 in Envoy needs).
#[allow(dead_code, reason = "not every test binary runs adapted modules")]
pub fn options() -> gatewit_adapter::Options {
    gatewit_adapter::Options {
        exceptions: gatewit_adapter::ExceptionEncoding::Standard,
        ..gatewit_adapter::Options::default()
    }
}
