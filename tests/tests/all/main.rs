//! The crate's integration tests, in one binary: each file is a module,
//! linked once (a test binary per file relinked wasmtime for each).

mod backend;
mod differential;
mod emulator_tier;
mod envoy_tier;
mod redis_slow;
mod shim_examples;
mod shim_fixtures;
mod tier_limits;
