//! Metrics shared by every plugin instance of the gateway.

use crate::Status;
use crate::host::{self, MetricKind};

/// A defined metric (counter, gauge or histogram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Metric {
    id: u32,
}

impl Metric {
    /// Define (or look up) the counter `name`.
    pub fn counter(name: &str) -> Result<Metric, Status> {
        host::define_metric(MetricKind::Counter, name).map(|id| Metric { id })
    }

    /// Define (or look up) the gauge `name`.
    pub fn gauge(name: &str) -> Result<Metric, Status> {
        host::define_metric(MetricKind::Gauge, name).map(|id| Metric { id })
    }

    /// Define (or look up) the histogram `name`.
    pub fn histogram(name: &str) -> Result<Metric, Status> {
        host::define_metric(MetricKind::Histogram, name).map(|id| Metric { id })
    }

    /// The host's id of this metric.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Add `offset` to a counter or gauge.
    pub fn increment(&self, offset: i64) -> Result<(), Status> {
        host::increment_metric(self.id, offset)
    }

    /// Set a gauge, or record a value in a histogram.
    pub fn record(&self, value: u64) -> Result<(), Status> {
        host::record_metric(self.id, value)
    }

    /// The current value of a counter or gauge.
    pub fn get(&self) -> Result<u64, Status> {
        host::get_metric(self.id)
    }
}
