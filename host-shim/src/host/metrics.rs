//! `gatewit:plugin/metrics`: counters, gauges and histograms.

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::gatewit::plugin::metrics::{self, Host};
use crate::bindings::{MetricKind as WitKind, StatusError};
use crate::state::{HostState, Metric, MetricKind};

/// Adds `gatewit:plugin/metrics` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    metrics::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

impl HostState {
    /// Metric ids are the index plus one, so 0 is never a valid id.
    fn metric(&mut self, id: u32) -> Result<&mut Metric, StatusError> {
        let index = (id as usize).checked_sub(1).ok_or(StatusError::NotFound)?;
        self.p.metrics.get_mut(index).ok_or(StatusError::NotFound)
    }
}

impl Host for HostState {
    fn define_metric(&mut self, kind: WitKind, name: String) -> Result<u32, StatusError> {
        let kind = match kind {
            WitKind::Counter => MetricKind::Counter,
            WitKind::Gauge => MetricKind::Gauge,
            WitKind::Histogram => MetricKind::Histogram,
        };
        if let Some(i) = self.p.metrics.iter().position(|m| m.name == name) {
            if self.p.metrics[i].kind != kind {
                return Err(StatusError::BadArgument);
            }
            return Ok(i as u32 + 1);
        }
        self.p.metrics.push(Metric {
            name,
            kind,
            value: 0,
            recorded: Vec::new(),
        });
        Ok(self.p.metrics.len() as u32)
    }

    fn increment_metric(&mut self, id: u32, offset: i64) -> Result<(), StatusError> {
        let m = self.metric(id)?;
        match m.kind {
            MetricKind::Counter if offset < 0 => Err(StatusError::BadArgument),
            MetricKind::Histogram => Err(StatusError::BadArgument),
            _ => {
                m.value = m.value.saturating_add(offset);
                Ok(())
            }
        }
    }

    fn record_metric(&mut self, id: u32, value: u64) -> Result<(), StatusError> {
        let m = self.metric(id)?;
        let v = i64::try_from(value).unwrap_or(i64::MAX);
        if m.kind == MetricKind::Histogram {
            m.recorded.push(value);
        }
        m.value = v;
        Ok(())
    }

    fn get_metric(&mut self, id: u32) -> Result<u64, StatusError> {
        let m = self.metric(id)?;
        if m.kind == MetricKind::Histogram {
            return Err(StatusError::BadArgument);
        }
        Ok(m.value.max(0) as u64)
    }
}
