//! gatewit guest SDK macros (stub).
