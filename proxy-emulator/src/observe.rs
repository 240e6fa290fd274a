//! What a test drives and reads back besides streams: the timer, shared
//! queues, the log level, and the plugin's logs, calls, replies, metrics, shared data,
//! hostcall counts, fuel and memory.

use super::{CallRecord, Emulator, LocalReply, LogEntry, Metric, PAGE, ROOT_ID, VM_ID, hostcalls};
use anyhow::{Context, bail};
use std::time::Duration;

impl Emulator {
    /// Fires the plugin's timer once (`proxy_on_tick` on the root context)
    /// and runs the calls it makes. Works whether or not a period was set.
    pub fn tick(&mut self) -> anyhow::Result<()> {
        self.store.data_mut().effective = ROOT_ID;
        self.call("proxy_on_tick", &[ROOT_ID.into()])?;
        self.pump()
    }

    /// Enqueues `item` into the queue `name` of this VM (as another worker
    /// or plugin would), delivers the `proxy_on_queue_ready` call that
    /// posts, and runs the calls it makes. Fails when the plugin registered
    /// no such queue.
    pub fn enqueue_shared_queue(&mut self, name: &str, item: &[u8]) -> anyhow::Result<()> {
        let state = self.store.data_mut();
        let id = state
            .queues
            .iter()
            .position(|q| q.vm_id == VM_ID && q.name == name)
            .with_context(|| format!("the plugin registered no shared queue `{name}`"))?
            as u32
            + 1;
        if hostcalls::enqueue(state, id, item.to_vec()).is_err() {
            bail!("internal: shared queue {id} vanished");
        }
        self.deliver_queue_ready()?;
        self.pump()
    }

    /// The items waiting in this VM's shared queue `name`, oldest first
    /// (`None`: the plugin registered no such queue).
    pub fn shared_queue(&self, name: &str) -> Option<Vec<&[u8]>> {
        self.store
            .data()
            .queues
            .iter()
            .find(|q| q.vm_id == VM_ID && q.name == name)
            .map(|q| q.items.iter().map(Vec::as_slice).collect())
    }

    /// The tick period the plugin asked for (`None`: no timer).
    pub fn tick_period(&self) -> Option<Duration> {
        let ms = self.store.data().tick_period_ms;
        (ms > 0).then(|| Duration::from_millis(u64::from(ms)))
    }

    /// Whether the module exports Higress's `proxy_abi_version_0_2_100`.
    pub fn higress_abi(&self) -> bool {
        self.higress_abi
    }

    /// Whether body callbacks run while a headers callback holds the
    /// headers: with the Higress ABI, or when the setup asked for it
    /// ([`GatewaySetup::body_during_paused_headers`], a stock Envoy with
    /// `allow_on_headers_stop_iteration`).
    pub fn body_during_paused_headers(&self) -> bool {
        self.body_during_paused_headers
    }

    /// Every log line the plugin wrote so far.
    pub fn logs(&self) -> &[LogEntry] {
        &self.store.data().logs
    }

    /// Takes the log lines written so far.
    pub fn take_logs(&mut self) -> Vec<LogEntry> {
        std::mem::take(&mut self.store.data_mut().logs)
    }

    /// Every outbound call the plugin made, in order, with its outcome.
    pub fn calls(&self) -> &[CallRecord] {
        &self.store.data().calls
    }

    /// Every local reply the plugin sent, in order (including ignored ones).
    pub fn local_replies(&self) -> &[LocalReply] {
        &self.store.data().local_replies
    }

    /// The metrics the plugin defined.
    pub fn metrics(&self) -> &[Metric] {
        &self.store.data().metrics
    }

    /// The value of metric `name`, if defined.
    pub fn metric(&self, name: &str) -> Option<i64> {
        self.store
            .data()
            .metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }

    /// Shared data under `key`: value and cas.
    pub fn shared_data(&self, key: &str) -> Option<(&[u8], u32)> {
        self.store
            .data()
            .shared
            .get(key)
            .map(|(v, cas)| (v.as_slice(), *cas))
    }

    /// What the emulator noticed and handled on its own (ignored local
    /// replies, refused calls), for debugging tests.
    pub fn host_notes(&self) -> &[String] {
        &self.store.data().notes
    }

    /// How many times the plugin called `proxy_done`.
    pub fn done_calls(&self) -> u32 {
        self.store.data().done_calls
    }

    /// Changes the level `proxy_get_log_level` reports from now on, as
    /// Envoy's admin `/logging` does on a running gateway.
    pub fn set_log_level(&mut self, level: super::LogLevel) {
        self.store.data_mut().log_level = level;
    }

    /// How many times the plugin called the `env` hostcall `name` so far.
    pub fn hostcall_count(&self, name: &str) -> u64 {
        self.store.data().hostcalls.get(name).copied().unwrap_or(0)
    }

    /// How many times the emulator called one of the plugin's exported
    /// callbacks (`_initialize` and `proxy_on_*`) so far; callbacks the
    /// module does not export are skipped, as Envoy does, and not counted.
    pub fn callbacks_called(&self) -> u64 {
        self.callbacks_called
    }

    /// How many `env` hostcalls the plugin made so far, all names together.
    pub fn hostcall_total(&self) -> u64 {
        self.store.data().hostcalls.values().sum()
    }

    /// How many times the emulator called the plugin's `malloc` to hand it
    /// data so far (in Envoy each is a VM re-entry inside a hostcall, the
    /// most expensive part of a data-returning hostcall).
    pub fn guest_allocations(&self) -> u64 {
        self.store.data().guest_allocations
    }

    /// Fuel the guest burnt since the VM was created, over every callback
    /// (and the `malloc` calls the hostcalls made from inside them): with
    /// wasmtime's default costs, one unit per wasm instruction executed,
    /// except `nop`, `drop` and the structured-control markers (`block`,
    /// `loop`, `else`, `end`, `return`, `unreachable`), which are free. Unlike
    /// a time, it does not depend on the machine or its load, so benchmarks
    /// use it to compare the guest-side cost of plugins. 0 for a module that
    /// exports no callback.
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// The plugin's linear memory size in bytes (for leak tests).
    pub fn memory_bytes(&self) -> usize {
        self.store
            .data()
            .memory
            .map(|m| m.data_size(&self.store))
            .unwrap_or(0)
    }

    /// The plugin's linear memory size in 64 KiB pages.
    pub fn memory_pages(&self) -> usize {
        self.memory_bytes() / PAGE
    }

    /// In an adapted composition, the pages the plugin's own region uses
    /// (its memory is a region of the one memory, whose size does not move
    /// when the plugin grows): the adapter's `gatewit_plugin_pages` export.
    pub fn plugin_region_pages(&mut self) -> Option<u32> {
        let g = self.store.data().plugin_pages?;
        g.get(&mut self.store).i32().map(|p| p as u32)
    }
}
