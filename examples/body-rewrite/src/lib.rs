//! `body-rewrite` example plugin (stub until the SDK lands).
