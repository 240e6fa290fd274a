//! gatewit adapter: component → proxy-wasm v0.2.1 core module (lands with the adapter issue).
