//! gatewit host shim (stub).
