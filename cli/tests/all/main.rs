//! The crate's integration tests, in one binary: each file is a module,
//! linked once (a test binary per file relinked wasmtime for each).

mod adapt;
mod common;
mod new;
mod package;
mod run;
mod serve;
mod test_cmd;
