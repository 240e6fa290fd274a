//! gatewit guest SDK (stub).
