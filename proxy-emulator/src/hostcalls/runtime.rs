//! The VM's own calls: logging, the clock, the tick timer, `proxy_done` and the effective context.

use std::time::{SystemTime, UNIX_EPOCH};

use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, read, write_u32, write_u64};
use crate::abi::status;
use crate::state::{HostState, LogLevel};

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &[
    "proxy_log",
    "proxy_get_log_level",
    "proxy_get_current_time_nanoseconds",
    "proxy_set_tick_period_milliseconds",
    "proxy_done",
    "proxy_set_effective_context",
];

/// Adds the hostcalls of [`NAMES`].
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_log",
        |mut c: Caller<'_, HostState>, level: u32, ptr: u32, len: u32| {
            done((|| {
                guard(&mut c, "proxy_log")?;
                let message = String::from_utf8_lossy(&read(&c, ptr, len)?).into_owned();
                c.data_mut().log(LogLevel::from_abi(level), message);
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_log_level",
        |mut c: Caller<'_, HostState>, out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_log_level")?;
                let level = c.data().log_level.abi();
                write_u32(&mut c, out, level)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_current_time_nanoseconds",
        |mut c: Caller<'_, HostState>, out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_current_time_nanoseconds")?;
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                write_u64(&mut c, out, now.as_nanos() as u64)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_tick_period_milliseconds",
        |mut c: Caller<'_, HostState>, period: u32| {
            done((|| {
                guard(&mut c, "proxy_set_tick_period_milliseconds")?;
                c.data_mut().tick_period_ms = period;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap("env", "proxy_done", |mut c: Caller<'_, HostState>| {
        done((|| {
            guard(&mut c, "proxy_done")?;
            c.data_mut().done_calls += 1;
            Ok(status::OK)
        })())
    })?;
    linker.func_wrap(
        "env",
        "proxy_set_effective_context",
        |mut c: Caller<'_, HostState>, id: u32| {
            done((|| {
                guard(&mut c, "proxy_set_effective_context")?;
                let state = c.data_mut();
                if id != state.root_id && !state.streams.contains_key(&id) {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                state.effective = id;
                Ok(status::OK)
            })())
        },
    )?;
    Ok(())
}
