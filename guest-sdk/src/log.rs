//! Logging in Higress's line format: `[plugin-name] [plugin-id] [x-request-id] msg`.
//!
//! Use the macros: [`log_trace!`](crate::log_trace), [`log_debug!`](crate::log_debug),
//! [`log_info!`](crate::log_info), [`log_warn!`](crate::log_warn),
//! [`log_error!`](crate::log_error), [`log_critical!`](crate::log_critical).
//! Lines below the host's level are skipped before formatting. The level
//! is asked of the host once per callback, at the first line: a chatty
//! callback pays one hostcall, not one a line, and a level changed on the
//! gateway (Envoy's admin `/logging`) applies from the next callback.

use std::cell::Cell;
use std::fmt;

use crate::host::{self, LogLevel};

/// A log level, in proxy-wasm order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Very detailed tracing.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation.
    Info,
    /// Something unexpected that the plugin handled.
    Warn,
    /// Something failed.
    Error,
    /// Something failed badly.
    Critical,
}

impl Level {
    fn wit(self) -> LogLevel {
        match self {
            Level::Trace => LogLevel::Trace,
            Level::Debug => LogLevel::Debug,
            Level::Info => LogLevel::Info,
            Level::Warn => LogLevel::Warn,
            Level::Error => LogLevel::Error,
            Level::Critical => LogLevel::Critical,
        }
    }

    fn from_wit(l: LogLevel) -> Level {
        match l {
            LogLevel::Trace => Level::Trace,
            LogLevel::Debug => Level::Debug,
            LogLevel::Info => Level::Info,
            LogLevel::Warn => Level::Warn,
            LogLevel::Error => Level::Error,
            LogLevel::Critical => Level::Critical,
        }
    }
}

thread_local! {
    /// The host's level as this callback asked it; `None` until its first
    /// line.
    static HOST_LEVEL: Cell<Option<Level>> = const { Cell::new(None) };
}

/// A callback starts: the host's level is asked again at its first line.
pub(crate) fn forget_host_level() {
    HOST_LEVEL.set(None);
}

/// Whether the host records lines at `level`.
pub fn enabled(level: Level) -> bool {
    let host_level = HOST_LEVEL.get().unwrap_or_else(|| {
        let asked = Level::from_wit(host::get_log_level());
        HOST_LEVEL.set(Some(asked));
        asked
    });
    level >= host_level
}

/// Format one line the Higress way.
pub(crate) fn format_line(
    plugin: &str,
    id: &str,
    request_id: &str,
    msg: fmt::Arguments<'_>,
) -> String {
    format!("[{plugin}] [{id}] [{request_id}] {msg}")
}

/// Log `msg` at `level` with the plugin prefix. Prefer the macros.
pub fn log(level: Level, msg: fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    // The request's `x-request-id`: as the SDK kept it at request headers,
    // else Envoy's `request.id` attribute (request phases), else property
    // `x_request_id` (Higress's Go wrapper writes it), else `nil` as Go
    // prints it.
    let request_id: Option<String> = if crate::runtime::current_context() != 0 {
        crate::runtime::request_id().or_else(|| {
            [&["request", "id"][..], &["x_request_id"][..]]
                .into_iter()
                .find_map(|path| host::get_property(path).filter(|v| !v.is_empty()))
                .map(|v| String::from_utf8_lossy(&v).into_owned())
        })
    } else {
        None
    };
    let plugin_id = crate::runtime::plugin_id();
    let line = format_line(
        crate::runtime::plugin_name(),
        if plugin_id.is_empty() {
            "nil"
        } else {
            &plugin_id
        },
        request_id.as_deref().unwrap_or("nil"),
        msg,
    );
    host::log(level.wit(), &line);
}

thread_local! {
    static SAFE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Safe log mode (Go's `EnableSafeLog`): lines logged with
/// [`log_unsafe_info!`](crate::log_unsafe_info) — request or response
/// headers and bodies, tokens — drop to debug level and start with a line
/// break, so a line-based log collector never gets one whole in an entry.
pub fn enable_safe_log() {
    SAFE.set(true);
}

/// Whether safe log mode is on.
pub fn safe_log_enabled() -> bool {
    SAFE.get()
}

/// Log a line that may carry sensitive data (Go's `log.UnsafeInfo`): at
/// info level, or as safe log mode has it. Prefer the macro.
pub fn log_unsafe(msg: fmt::Arguments<'_>) {
    if safe_log_enabled() {
        log(Level::Debug, format_args!("\n{msg}"));
    } else {
        log(Level::Info, msg);
    }
}

/// Log at info level a line that may carry sensitive data; see
/// [`enable_safe_log`](crate::log::enable_safe_log).
#[macro_export]
macro_rules! log_unsafe_info {
    ($($arg:tt)*) => { $crate::log::log_unsafe(format_args!($($arg)*)) };
}

/// Log at trace level: `log_trace!("x = {}", x)`.
#[macro_export]
macro_rules! log_trace {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Trace, format_args!($($arg)*)) };
}
/// Log at debug level.
#[macro_export]
macro_rules! log_debug {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Debug, format_args!($($arg)*)) };
}
/// Log at info level.
#[macro_export]
macro_rules! log_info {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Info, format_args!($($arg)*)) };
}
/// Log at warn level.
#[macro_export]
macro_rules! log_warn {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Warn, format_args!($($arg)*)) };
}
/// Log at error level.
#[macro_export]
macro_rules! log_error {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Error, format_args!($($arg)*)) };
}
/// Log at critical level.
#[macro_export]
macro_rules! log_critical {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Critical, format_args!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn higress_line_format() {
        assert_eq!(
            super::format_line("p", "id", "nil", format_args!("x={}", 1)),
            "[p] [id] [nil] x=1"
        );
    }
}
