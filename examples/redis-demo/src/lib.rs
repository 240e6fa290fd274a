//! `redis-demo` example plugin (stub until the SDK lands).
