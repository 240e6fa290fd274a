//! The test harness: one plugin instance ("VM") serving many requests, driven
//! step by step like a gateway drives a filter.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use gatewit_host_shim::harness::{PluginHost, MockHttp};
//! use gatewit_host_shim::exchange::HttpRequest;
//! let mut host = PluginHost::builder("plugin.wasm")
//!     .config_json(&serde_json::json!({"mockEnable": false}))
//!     .route_name("my-route")
//!     .start()?;
//! let mut stream = host.stream()?;
//! stream.send_request(&HttpRequest::get("example.com", "/"))?;
//! let upstream = stream.upstream_request();
//! stream.send_response(&Default::default())?;
//! let response = stream.finish()?;
//! # Ok(()) }
//! ```

mod flow;
mod stream;

pub use stream::{Stream, StreamId, request_header_list};

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail};
use wasmtime::{Store, StoreLimitsBuilder, Trap};

use crate::bindings::Plugin;
use crate::bindings::exports::gatewit::plugin::guest::Guest;
use crate::engine::{self, ComponentSource, EPOCH_TICK, PluginComponent};
use crate::exchange::HeaderList;
use crate::fake_redis::FakeRedis;
pub use crate::state::{
    DEFAULT_VM_ID, HttpBackend, HttpCallRecord, Level, LocalReply, LogRecord, LogSource, Metric,
    MetricKind, MockHttp, RedisBackend, RedisCallRecord,
};
use crate::state::{HostState, Persistent, RequestState};
use gatewit_abi::Callback;
use gatewit_gateway_flow::StreamFlow;

/// Default time budget of one callback: never stricter than what an adapted
/// plugin may do in Envoy, whose limit is the adapter's step budget (10⁹
/// loop iterations, 1–2 s in V8 here). The shim cannot count the same
/// steps (wasmtime meters instructions or time, not loop iterations), so a
/// callback that runs between those two limits fails only in Envoy.
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(10);
/// Default cap of the plugin's linear memories, in bytes: the adapter's
/// default memory cap (`gatewit_adapter::DEFAULT_MAX_MEMORY_PAGES`), so a
/// plugin gets the same room on every tier.
pub const DEFAULT_MEMORY_LIMIT: usize = 512 << 20;
/// Used for an outbound HTTP call whose timeout is 0.
const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// More async answers than this in one step means the plugin is looping
/// through calls; stop rather than spin forever.
const MAX_CALLS_PER_STEP: usize = 10_000;
/// Upper bound of ticks fired by one `advance_time`.
const MAX_TICKS_PER_ADVANCE: u64 = 100_000;

/// Configures and starts a [`PluginHost`].
#[derive(Debug)]
pub struct PluginHostBuilder {
    source: ComponentSource,
    config: Vec<u8>,
    properties: BTreeMap<String, Vec<u8>>,
    http: HashMap<String, HttpBackend>,
    redis: HashMap<String, RedisBackend>,
    time_budget: Duration,
    memory_limit: usize,
    min_log_level: Option<Level>,
    body_during_paused_headers: bool,
    upstream_hosts: HeaderList,
    optimise_code: bool,
}

impl PluginHostBuilder {
    /// Whether Cranelift optimises the plugin's code (on by default). Off,
    /// a big plugin starts sooner and runs slower: the 12.3 MB JavaScript
    /// one compiles in 17 s of one core instead of 29. Scenario gateways
    /// ([`ShimGateway`](crate::ShimGateway)), which run a few requests
    /// each, turn it off.
    pub fn optimise_code(mut self, on: bool) -> Self {
        self.optimise_code = on;
        self
    }

    /// The plugin's configuration, raw bytes.
    pub fn config_bytes(mut self, config: impl Into<Vec<u8>>) -> Self {
        self.config = config.into();
        self
    }

    /// The plugin's configuration as JSON (`null` → empty configuration).
    pub fn config_json(mut self, config: &serde_json::Value) -> Self {
        self.config = if config.is_null() {
            Vec::new()
        } else {
            config.to_string().into_bytes()
        };
        self
    }

    /// Property `route_name`.
    pub fn route_name(self, name: &str) -> Self {
        self.property(&["route_name"], name)
    }

    /// Property `cluster_name` (the route's upstream cluster).
    pub fn upstream_cluster(self, name: &str) -> Self {
        self.property(&["cluster_name"], name)
    }

    /// Any property the plugin may read, e.g. `&["node", "id"]`.
    pub fn property(mut self, path: &[&str], value: impl Into<Vec<u8>>) -> Self {
        self.properties.insert(path.join("."), value.into());
        self
    }

    /// HTTP cluster `cluster` answers from a mock.
    pub fn http_mock(mut self, cluster: &str, mock: MockHttp) -> Self {
        self.http.insert(cluster.into(), HttpBackend::Mock(mock));
        self
    }

    /// HTTP cluster `cluster` is a real server at `addr`.
    pub fn http_real(mut self, cluster: &str, addr: SocketAddr) -> Self {
        self.http.insert(cluster.into(), HttpBackend::Real(addr));
        self
    }

    /// Redis cluster `cluster` is an in-memory fake; returns it so tests can
    /// seed and inspect it.
    pub fn redis_fake(mut self, cluster: &str) -> (Self, Arc<Mutex<FakeRedis>>) {
        let fake = Arc::new(Mutex::new(FakeRedis::new()));
        self.redis
            .insert(cluster.into(), RedisBackend::Fake(fake.clone()));
        (self, fake)
    }

    /// The route's upstream hosts, `(address, metrics)`, as Higress's
    /// `get-upstream-hosts` reports them (default: none).
    pub fn upstream_hosts(mut self, hosts: HeaderList) -> Self {
        self.upstream_hosts = hosts;
        self
    }

    /// Redis cluster `cluster` is a real Redis server at `addr`.
    pub fn redis_real(mut self, cluster: &str, addr: SocketAddr) -> Self {
        self.redis.insert(cluster.into(), RedisBackend::Real(addr));
        self
    }

    /// The time one callback may run before it is stopped.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.time_budget = budget;
        self
    }

    /// The cap of the plugin's linear memories, in bytes.
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Drop plugin log lines below `level`; `get-log-level` reports it.
    pub fn log_level(mut self, level: Level) -> Self {
        self.min_log_level = Some(level);
        self
    }

    /// Whether body callbacks run while a headers callback holds the
    /// headers (see [`GatewaySetup::body_during_paused_headers`]): Higress's
    /// Envoy, or a stock Envoy ≥ 1.35 with the wasm filter's
    /// `allow_on_headers_stop_iteration: true`. Then a body callback that
    /// continues lets the held headers (as the plugin left them) go on with
    /// the body, and a resume lets both go on without calling the body
    /// callback again. Off by default, as stock Envoy: a paused headers
    /// callback holds the body callbacks too, until the plugin resumes.
    ///
    /// [`GatewaySetup::body_during_paused_headers`]: crate::exchange::GatewaySetup::body_during_paused_headers
    pub fn body_during_paused_headers(mut self, on: bool) -> Self {
        self.body_during_paused_headers = on;
        self
    }

    /// Compiles (or reuses) the component, instantiates it and runs
    /// `on-plugin-start` with the configuration.
    pub fn start(self) -> anyhow::Result<PluginHost> {
        let component = PluginComponent::load_with(self.source, self.optimise_code)?;
        let persistent = Persistent {
            http_backends: self.http,
            redis_backends: self.redis,
            properties: self.properties,
            min_log_level: self.min_log_level,
            upstream_hosts: self.upstream_hosts,
            ..Persistent::default()
        };
        let mut host = PluginHost {
            store: PluginHost::new_store(&component, self.memory_limit, persistent)?,
            component,
            plugin: None,
            dead: None,
            config: self.config,
            time_budget: self.time_budget,
            memory_limit: self.memory_limit,
            // Envoy numbers the root context 1 and requests from 2 on.
            next_ctx: 2,
            restarts: 0,
            ticked_until: Duration::ZERO,
            hold_calls: false,
            restarting: true,
            body_during_paused_headers: self.body_during_paused_headers,
        };
        host.instantiate()?;
        host.restarting = false;
        Ok(host)
    }
}

/// One plugin instance serving many requests.
pub struct PluginHost {
    component: PluginComponent,
    store: Store<HostState>,
    plugin: Option<Plugin>,
    /// Why the plugin cannot run any more (a restart failed).
    dead: Option<String>,
    config: Vec<u8>,
    time_budget: Duration,
    memory_limit: usize,
    next_ctx: u32,
    restarts: u32,
    /// Clock offset up to which ticks were fired.
    ticked_until: Duration,
    /// Set while (re)starting: a trap then is final.
    restarting: bool,
    /// Leave outbound calls unanswered until [`PluginHost::answer_calls`].
    hold_calls: bool,
    /// See [`PluginHostBuilder::body_during_paused_headers`].
    body_during_paused_headers: bool,
}

impl std::fmt::Debug for PluginHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginHost")
            .field("component", &self.component)
            .field("restarts", &self.restarts)
            .finish()
    }
}

impl PluginHost {
    /// Starts configuring a host for the component at `source` (a path or
    /// bytes).
    pub fn builder(source: impl Into<ComponentSource>) -> PluginHostBuilder {
        // Envoy serves the VM id (`vm_config.vm_id`) as `plugin_vm_id`;
        // `resolve-shared-queue` finds this plugin's queues under it.
        let properties = BTreeMap::from([(
            "plugin_vm_id".to_string(),
            DEFAULT_VM_ID.as_bytes().to_vec(),
        )]);
        PluginHostBuilder {
            source: source.into(),
            config: Vec::new(),
            properties,
            http: HashMap::new(),
            redis: HashMap::new(),
            time_budget: DEFAULT_TIME_BUDGET,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            min_log_level: None,
            body_during_paused_headers: false,
            upstream_hosts: HeaderList::new(),
            optimise_code: true,
        }
    }

    fn new_store(
        component: &PluginComponent,
        memory_limit: usize,
        persistent: Persistent,
    ) -> anyhow::Result<Store<HostState>> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(memory_limit)
            .instances(64)
            .trap_on_grow_failure(true)
            .build();
        let engine = component.component.engine();
        let mut store = Store::new(engine, HostState::new(limits, persistent));
        store.limiter(|s| &mut s.limits);
        Ok(store)
    }

    /// Instantiates the component in the current store and configures it.
    fn instantiate(&mut self) -> anyhow::Result<()> {
        let linker = engine::linker(self.component.optimised)?;
        self.store.set_epoch_deadline(self.budget_ticks());
        let plugin = Plugin::instantiate(&mut self.store, &self.component.component, linker).map_err(|e| {
            anyhow!(
                "cannot instantiate `{}`: does it target the `gatewit:plugin/plugin` world? {e:#}",
                self.component.name()
            )
        })?;
        self.plugin = Some(plugin);
        if self.hook(Callback::PluginStart) {
            let config = self.config.clone();
            let result = self.call("on-plugin-start", 0, |g, s| {
                g.call_on_plugin_start(s, &config)
            })?;
            if let Err(message) = result {
                self.plugin = None;
                bail!(
                    "plugin `{}` rejected its configuration: {message}",
                    self.component.name()
                );
            }
        }
        Ok(())
    }

    fn budget_ticks(&self) -> u64 {
        (self.time_budget.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1
    }

    fn hook(&self, callback: Callback) -> bool {
        callback.is_in(self.component.hooks)
    }

    /// Runs one guest callback with `ctx` current, under the time budget,
    /// then `on-queue-ready` for the queues it enqueued into. A trap
    /// restarts the plugin (a fresh instance, configured again) and comes
    /// back as an error naming the callback.
    fn call<R>(
        &mut self,
        what: &'static str,
        ctx: u32,
        f: impl FnOnce(&Guest, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> anyhow::Result<R> {
        let result = self.call_one(what, ctx, f)?;
        self.deliver_queue_ready()?;
        Ok(result)
    }

    /// Calls `on-queue-ready` (plugin level, as Envoy posts it to the
    /// registering root context) once per enqueue since the last delivery,
    /// until no callback enqueues any more. Without the hooks bit the items
    /// just wait in their queues.
    fn deliver_queue_ready(&mut self) -> anyhow::Result<()> {
        for _ in 0..MAX_CALLS_PER_STEP {
            let Some(queue) = self.store.data_mut().ready_queues.pop_front() else {
                return Ok(());
            };
            if !self.hook(Callback::QueueReady) {
                self.store.data_mut().ready_queues.clear();
                return Ok(());
            }
            self.call_one("on-queue-ready", 0, |g, s| g.call_on_queue_ready(s, queue))?;
        }
        bail!(
            "plugin kept enqueueing: more than {MAX_CALLS_PER_STEP} queue-ready callbacks in one step"
        )
    }

    /// [`PluginHost::call`] without the queue-ready delivery.
    fn call_one<R>(
        &mut self,
        what: &'static str,
        ctx: u32,
        f: impl FnOnce(&Guest, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> anyhow::Result<R> {
        if let Some(why) = &self.dead {
            bail!("plugin `{}` is not running: {why}", self.component.name());
        }
        let Some(plugin) = &self.plugin else {
            bail!("plugin `{}` is not running", self.component.name())
        };
        self.store.data_mut().current = ctx;
        self.store.set_epoch_deadline(self.budget_ticks());
        let logs_before = self.store.data().p.logs.len();
        let result = f(plugin.gatewit_plugin_guest(), &mut self.store);
        self.store.data_mut().collect_output(result.is_err());
        self.store.data_mut().current = 0;
        let error = match result {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let stderr: Vec<String> = self.store.data().p.logs[logs_before..]
            .iter()
            .filter(|l| l.source == LogSource::Stderr)
            .map(|l| l.message.clone())
            .collect();
        let output = if stderr.is_empty() {
            String::new()
        } else {
            format!(" (plugin stderr: {})", stderr.join(" | "))
        };
        let err = match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) | Some(Trap::OutOfFuel) => {
                anyhow!(
                    "plugin exceeded its time budget of {:?} in `{what}`",
                    self.time_budget
                )
            }
            _ => anyhow!("plugin trapped in `{what}`: {error:#}{output}"),
        };
        self.restart(&err);
        Err(err)
    }

    /// Replaces the instance after a trap: a trapped instance must not run
    /// again, but the gateway keeps serving with a fresh one (configured
    /// again). A trap while restarting marks the plugin dead instead of
    /// looping.
    fn restart(&mut self, cause: &anyhow::Error) {
        self.plugin = None;
        if self.restarting {
            return;
        }
        self.restarting = true;
        self.restarts += 1;
        let persistent = std::mem::take(&mut self.store.data_mut().p);
        match Self::new_store(&self.component, self.memory_limit, persistent) {
            Ok(store) => {
                self.store = store;
                self.store.data_mut().log(
                    Level::Error,
                    LogSource::Host,
                    format!("restarting the plugin: {cause:#}"),
                );
                if let Err(e) = self.instantiate() {
                    self.dead = Some(format!("restart failed: {e:#}"));
                }
            }
            Err(e) => self.dead = Some(format!("{e:#}")),
        }
        self.restarting = false;
    }

    /// Starts a new request (calls `on-context-create`).
    pub fn stream(&mut self) -> anyhow::Result<Stream<'_>> {
        let ctx = self.next_ctx;
        self.next_ctx = self.next_ctx.wrapping_add(1).max(2);
        self.store
            .data_mut()
            .requests
            .insert(ctx, RequestState::default());
        if self.hook(Callback::ContextCreate) {
            self.call("on-context-create", ctx, |g, s| {
                g.call_on_context_create(s, ctx)
            })?;
        }
        Ok(Stream {
            host: self,
            ctx,
            finished: false,
        })
    }

    /// Takes up again a request set aside with [`Stream::detach`], so
    /// several requests can be in flight on one instance at once (as on a
    /// gateway, where one request's HTTP call is pending while others run).
    pub fn attach(&mut self, id: StreamId) -> anyhow::Result<Stream<'_>> {
        let live = self
            .store
            .data()
            .requests
            .get(&id.0)
            .is_some_and(|r| !r.flow.done);
        if !live {
            bail!(
                "request {} has ended (finished, or dropped when the plugin restarted after a trap)",
                id.0
            );
        }
        Ok(Stream {
            host: self,
            ctx: id.0,
            finished: false,
        })
    }

    /// Requests started and not yet ended (detached ones included).
    pub fn open_streams(&self) -> usize {
        self.store
            .data()
            .requests
            .values()
            .filter(|r| !r.flow.done)
            .count()
    }

    /// Bytes of linear memory the current plugin instance holds (all its
    /// memories; WebAssembly memories never shrink, so growth shows leaks).
    pub fn memory_bytes(&self) -> usize {
        self.store.data().limits.memory_bytes
    }

    /// How many times the plugin was restarted after a trap.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// The compiled component.
    pub fn component(&self) -> &PluginComponent {
        &self.component
    }

    /// Every log record so far (plugin logs, stdout, stderr, host notes).
    pub fn logs(&self) -> &[LogRecord] {
        &self.store.data().p.logs
    }

    /// Takes the log records so far.
    pub fn take_logs(&mut self) -> Vec<LogRecord> {
        std::mem::take(&mut self.store.data_mut().p.logs)
    }

    /// Whether any log message contains `needle`.
    pub fn logged(&self, needle: &str) -> bool {
        self.logs().iter().any(|l| l.message.contains(needle))
    }

    /// Every outbound HTTP call so far.
    pub fn http_calls(&self) -> &[HttpCallRecord] {
        &self.store.data().p.http_calls
    }

    /// Makes Redis cluster `cluster` an in-memory fake from now on (a
    /// cluster the gateway learns about after the plugin started); returns
    /// it so tests can seed and inspect it.
    pub fn add_redis_fake(&mut self, cluster: &str) -> Arc<Mutex<FakeRedis>> {
        let fake = Arc::new(Mutex::new(FakeRedis::new()));
        self.store
            .data_mut()
            .p
            .redis_backends
            .insert(cluster.into(), RedisBackend::Fake(fake.clone()));
        fake
    }

    /// Every Redis call so far.
    pub fn redis_calls(&self) -> &[RedisCallRecord] {
        &self.store.data().p.redis_calls
    }

    /// Every defined metric.
    pub fn metrics(&self) -> &[Metric] {
        &self.store.data().p.metrics
    }

    /// The metric named `name`.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics().iter().find(|m| m.name == name)
    }

    /// The shared data at `key` and its version.
    pub fn shared_data(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        self.store.data().p.shared_data.get(key).cloned()
    }

    /// The items waiting in the shared queue `name` (oldest first), if the
    /// plugin registered it.
    pub fn shared_queue(&self, name: &str) -> Option<Vec<Vec<u8>>> {
        self.store
            .data()
            .p
            .queues
            .values()
            .find(|q| q.name == name)
            .map(|q| q.items.iter().cloned().collect())
    }

    /// A property the plugin set at plugin level (or the setup's).
    pub fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        self.store.data().p.properties.get(&path.join(".")).cloned()
    }

    /// The tick period the plugin asked for (0: none).
    pub fn tick_period(&self) -> Duration {
        Duration::from_millis(self.store.data().tick_period_ms.into())
    }

    /// Advances the plugin's clock by `by`, firing `on-tick` for every tick
    /// period that elapses. Returns how many ticks fired.
    pub fn advance_time(&mut self, by: Duration) -> anyhow::Result<u64> {
        let target = self.store.data().p.clock_offset + by;
        let mut fired = 0;
        loop {
            let period = self.tick_period();
            if period.is_zero() {
                self.ticked_until = target;
                break;
            }
            let next = self.ticked_until + period;
            if next > target {
                break;
            }
            if fired >= MAX_TICKS_PER_ADVANCE {
                bail!(
                    "more than {MAX_TICKS_PER_ADVANCE} ticks in one `advance_time`: use a shorter advance"
                );
            }
            self.store.data_mut().p.clock_offset = next;
            self.ticked_until = next;
            self.tick()?;
            fired += 1;
        }
        self.store.data_mut().p.clock_offset = target;
        Ok(fired)
    }

    /// Fires `on-tick` once (and answers the calls it makes).
    pub fn tick(&mut self) -> anyhow::Result<()> {
        if self.hook(Callback::Tick) {
            self.call("on-tick", 0, |g, s| g.call_on_tick(s))?;
        }
        self.drain_calls()
    }
}
