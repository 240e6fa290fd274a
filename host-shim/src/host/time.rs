//! `gatewit:plugin/time`: the clock (which tests can advance) and ticks.

use std::time::SystemTime;

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::gatewit::plugin::time::{self, Host};
use crate::state::HostState;

/// Adds `gatewit:plugin/time` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    time::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

impl HostState {
    /// Wall-clock time plus the offset tests advanced.
    pub(crate) fn now(&self) -> SystemTime {
        SystemTime::now() + self.p.clock_offset
    }
}

impl Host for HostState {
    fn now_nanos(&mut self) -> u64 {
        self.now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }

    fn set_tick_period(&mut self, period_ms: u32) {
        self.tick_period_ms = period_ms;
    }
}
