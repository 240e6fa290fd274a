//! The crate's integration tests, in one binary: each file is a module,
//! linked once (a test binary per file relinked wasmtime for each).

mod common;
mod compose;
mod errors;
mod functional;
mod golden;
mod real_plugin;
mod recovery;
mod utf8;
