//! `my-plugin` example plugin (stub until the SDK lands).
