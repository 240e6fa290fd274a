//! `http-call` example plugin (stub until the SDK lands).
