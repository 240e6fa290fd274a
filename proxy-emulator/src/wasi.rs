//! The `wasi_snapshot_preview1` functions Envoy provides to proxy-wasm
//! modules: stdout/stderr become logs, clocks and randomness work, the
//! environment and arguments are empty, `proc_exit` ends the VM, and every
//! other function is a stub answering `ENOSYS`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use wasmtime::{Caller, Linker};

use crate::hostcalls::{Fail, read, write, write_u32};
use crate::state::{HostState, LogLevel};

const SUCCESS: u32 = 0;
const BADF: u32 = 8;
const FAULT: u32 = 21;
const INVAL: u32 = 28;
/// Returned by every WASI function the host does not implement.
pub(crate) const NOSYS: u32 = 52;

fn errno(r: Result<u32, Fail>) -> wasmtime::Result<u32> {
    match r {
        Ok(e) => Ok(e),
        Err(Fail::Status(_)) => Ok(FAULT),
        Err(Fail::Trap(e)) => Err(e),
    }
}

/// Adds the implemented WASI functions to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    const W: &str = "wasi_snapshot_preview1";
    let started = Instant::now();
    linker.func_wrap(
        W,
        "fd_write",
        |mut c: Caller<'_, HostState>, fd: u32, iovs: u32, iovs_len: u32, written_out: u32| {
            errno((|| {
                let level = match fd {
                    1 => LogLevel::Info,
                    2 => LogLevel::Error,
                    _ => return Ok(BADF),
                };
                let mut data = Vec::new();
                for i in 0..iovs_len.min(1024) {
                    let iov = read(&c, iovs.wrapping_add(i * 8), 8)?;
                    let ptr = u32::from_le_bytes([iov[0], iov[1], iov[2], iov[3]]);
                    let len = u32::from_le_bytes([iov[4], iov[5], iov[6], iov[7]]);
                    data.extend(read(&c, ptr, len)?);
                }
                let text = String::from_utf8_lossy(&data).into_owned();
                for line in text.lines().filter(|l| !l.is_empty()) {
                    c.data_mut().log(level, line.to_string());
                }
                write_u32(&mut c, written_out, data.len() as u32)?;
                Ok(SUCCESS)
            })())
        },
    )?;
    linker.func_wrap(
        W,
        "clock_time_get",
        move |mut c: Caller<'_, HostState>, id: u32, _precision: u64, out: u32| {
            errno((|| {
                let nanos = match id {
                    0 => SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_nanos() as u64,
                    1..=3 => started.elapsed().as_nanos() as u64,
                    _ => return Ok(INVAL),
                };
                write(&mut c, out, &nanos.to_le_bytes())?;
                Ok(SUCCESS)
            })())
        },
    )?;
    linker.func_wrap(
        W,
        "random_get",
        |mut c: Caller<'_, HostState>, ptr: u32, len: u32| {
            errno((|| {
                // Test-grade randomness (std's per-process random hash keys):
                // plugins use it for ids and hash seeds, not for secrets here.
                let mut bytes = Vec::with_capacity(len as usize);
                let state = RandomState::new();
                let mut counter = 0u64;
                while bytes.len() < len as usize {
                    let mut h = state.build_hasher();
                    h.write_u64(counter);
                    counter += 1;
                    bytes.extend_from_slice(&h.finish().to_le_bytes());
                }
                bytes.truncate(len as usize);
                write(&mut c, ptr, &bytes)?;
                Ok(SUCCESS)
            })())
        },
    )?;
    for (name, _) in [("environ_sizes_get", ()), ("args_sizes_get", ())] {
        linker.func_wrap(
            W,
            name,
            |mut c: Caller<'_, HostState>, count_out: u32, size_out: u32| {
                errno((|| {
                    write_u32(&mut c, count_out, 0)?;
                    write_u32(&mut c, size_out, 0)?;
                    Ok(SUCCESS)
                })())
            },
        )?;
    }
    for name in ["environ_get", "args_get"] {
        linker.func_wrap(W, name, |_: Caller<'_, HostState>, _: u32, _: u32| {
            Ok(SUCCESS)
        })?;
    }
    // wasi-libc probes preopened directories until `EBADF`; any other error
    // would make it abort.
    linker.func_wrap(
        W,
        "fd_prestat_get",
        |_: Caller<'_, HostState>, _: u32, _: u32| Ok(BADF),
    )?;
    linker.func_wrap(
        W,
        "fd_prestat_dir_name",
        |_: Caller<'_, HostState>, _: u32, _: u32, _: u32| Ok(BADF),
    )?;
    linker.func_wrap(W, "sched_yield", |_: Caller<'_, HostState>| Ok(SUCCESS))?;
    linker.func_wrap(
        W,
        "proc_exit",
        |_: Caller<'_, HostState>, code: u32| -> wasmtime::Result<()> {
            Err(wasmtime::Error::msg(format!(
                "the plugin called `proc_exit({code})`"
            )))
        },
    )?;
    Ok(())
}
