//! The crate's integration tests, in one binary: each file is a module,
//! linked once (a test binary per file relinked wasmtime for each).

mod build;
mod envoy;
mod gatewit;
mod pause;
mod redis;
