//! `hello-world` example plugin (stub until the SDK lands).
