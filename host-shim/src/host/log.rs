//! `gatewit:plugin/log`: plugin logging into the host's log records.

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::LogLevel;
use crate::bindings::gatewit::plugin::log::{self, Host};
use crate::state::{HostState, Level, LogSource};

/// Adds `gatewit:plugin/log` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    log::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

pub(crate) fn from_wit(level: LogLevel) -> Level {
    match level {
        LogLevel::Trace => Level::Trace,
        LogLevel::Debug => Level::Debug,
        LogLevel::Info => Level::Info,
        LogLevel::Warn => Level::Warn,
        LogLevel::Error => Level::Error,
        LogLevel::Critical => Level::Critical,
    }
}

fn to_wit(level: Level) -> LogLevel {
    match level {
        Level::Trace => LogLevel::Trace,
        Level::Debug => LogLevel::Debug,
        Level::Info => LogLevel::Info,
        Level::Warn => LogLevel::Warn,
        Level::Error => LogLevel::Error,
        Level::Critical => LogLevel::Critical,
    }
}

impl Host for HostState {
    fn log(&mut self, level: LogLevel, message: String) {
        let level = from_wit(level);
        if self.p.min_log_level.is_some_and(|min| level < min) {
            return;
        }
        HostState::log(self, level, LogSource::Plugin, message);
    }

    fn get_log_level(&mut self) -> LogLevel {
        to_wit(self.p.min_log_level.unwrap_or(Level::Trace))
    }
}
