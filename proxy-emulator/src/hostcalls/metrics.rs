//! Metrics: counters, gauges and histograms.

use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, read_string, write_u32, write_u64};
use crate::abi::status;
use crate::state::{HostState, Metric};

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &[
    "proxy_define_metric",
    "proxy_increment_metric",
    "proxy_record_metric",
    "proxy_get_metric",
];

/// Adds the hostcalls of [`NAMES`].
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_define_metric",
        |mut c: Caller<'_, HostState>, kind: u32, name_ptr: u32, name_len: u32, id_out: u32| {
            done((|| {
                guard(&mut c, "proxy_define_metric")?;
                if kind > 2 {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let name = read_string(&c, name_ptr, name_len)?;
                let metrics = &mut c.data_mut().metrics;
                let id = match metrics
                    .iter()
                    .position(|m| m.name == name && m.kind == kind)
                {
                    Some(id) => id,
                    None => {
                        metrics.push(Metric {
                            name,
                            kind,
                            value: 0,
                            recorded: Vec::new(),
                        });
                        metrics.len() - 1
                    }
                };
                write_u32(&mut c, id_out, id as u32)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_increment_metric",
        |mut c: Caller<'_, HostState>, id: u32, offset: i64| {
            done((|| {
                guard(&mut c, "proxy_increment_metric")?;
                let metric = c
                    .data_mut()
                    .metrics
                    .get_mut(id as usize)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                match metric.kind {
                    0 if offset < 0 => return Err(Fail::Status(status::BAD_ARGUMENT)),
                    0 | 1 => metric.value = metric.value.saturating_add(offset),
                    _ => return Err(Fail::Status(status::BAD_ARGUMENT)),
                }
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_record_metric",
        |mut c: Caller<'_, HostState>, id: u32, value: u64| {
            done((|| {
                guard(&mut c, "proxy_record_metric")?;
                let metric = c
                    .data_mut()
                    .metrics
                    .get_mut(id as usize)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                let signed = i64::try_from(value).unwrap_or(i64::MAX);
                match metric.kind {
                    0 => metric.value = metric.value.saturating_add(signed),
                    1 => metric.value = signed,
                    _ => {
                        metric.value = signed;
                        metric.recorded.push(value);
                    }
                }
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_metric",
        |mut c: Caller<'_, HostState>, id: u32, out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_metric")?;
                let metric = c
                    .data()
                    .metrics
                    .get(id as usize)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                if metric.kind == 2 {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let value = metric.value as u64;
                write_u64(&mut c, out, value)?;
                Ok(status::OK)
            })())
        },
    )?;
    Ok(())
}
