//! gatewit proxy-wasm host emulator: runs a proxy-wasm ABI v0.2.1 core
//! module (what the gatewit adapter emits, or any Envoy/Higress plugin)
//! natively under wasmtime, with Envoy's semantics, for tests.
//!
//! One [`Emulator`] is one plugin VM: it checks the module's shape as Envoy
//! does, runs `_initialize`, creates the root context, starts the VM and
//! configures the plugin. Each [`Gateway::send`] is one HTTP stream through
//! the filter: request headers → body → (simulated) upstream → response
//! headers → body → `proxy_on_log` → `proxy_on_done` → `proxy_on_delete`.
//! Outbound HTTP and Redis calls go to real servers on loopback (through
//! [`gatewit_host_shim::backend`]); their callbacks are delivered before the
//! next phase runs, so a paused stream resumes deterministically.
//!
//! Differences from Envoy worth knowing (all deliberate):
//! - async answers arrive right after the callback that made the call
//!   returns, not at some later event-loop turn;
//! - `proxy_on_queue_ready` (one per enqueue into a queue this VM
//!   registered, as Envoy posts them) runs right after the callback that
//!   enqueued returns, before anything else; this VM's id is [`VM_ID`] and
//!   no other VM shares its queues;
//! - the upstream is simulated in-process (the scenario's
//!   [`UpstreamResponse`]) and sees `host` from `:authority`, no
//!   `x-request-id`/`x-forwarded-*`;
//! - a stream paused with nothing pending that could resume it is an error
//!   (Envoy would hang until its stream timeout);
//! - `proxy_on_done` returning false (deferred completion) does not delay
//!   `proxy_on_delete`; `proxy_done` calls are only counted.
//!
//! The stream's rules (phases, actions, pauses and resumes, local replies
//! in each phase, bodies during paused headers) are `gatewit_gateway_flow`'s,
//! the model the host shim drives too; with Higress's
//! `proxy_abi_version_0_2_100` marker, or
//! [`GatewaySetup::body_during_paused_headers`], body callbacks run while
//! the headers are paused.
#![deny(missing_docs)]

mod abi;
mod compile;
mod flow;
mod observe;

mod hostcalls;
mod state;
mod wasi;

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use gatewit_host_shim::backend::{self, RedisConnection};
use gatewit_host_shim::exchange::{Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use wasmtime::{
    ExternType, Func, Instance, Linker, Module, Store, StoreLimitsBuilder, Trap, Val, ValType,
};

pub use state::{CallRecord, LocalReply, LogEntry, LogLevel, Metric};

use state::{CallResponse, HostState, Phase};

/// The proxy-wasm host the emulator imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostProfile {
    /// Stock Envoy: proxy-wasm v0.2.1 only; a module importing Higress's
    /// Redis hostcalls fails to load.
    Envoy,
    /// Higress's Envoy: v0.2.1 plus `proxy_redis_init`/`proxy_redis_call`
    /// and buffer type 9. A superset of `Envoy`, hence the default.
    #[default]
    Higress,
}

/// How the emulator is set up beyond the [`GatewaySetup`].
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// Which host to imitate.
    pub profile: HostProfile,
    /// The level `proxy_get_log_level` reports; lower log lines are dropped.
    pub log_level: LogLevel,
    /// Fuel (roughly: wasm instructions) each callback may use before it is
    /// stopped as runaway. A backstop for modules without limits of their
    /// own: adapted gatewit modules carry the adapter's step budget, which
    /// is what Envoy enforces, and the default fuel is far above what that
    /// budget lets a callback run.
    pub fuel_per_callback: u64,
    /// The most linear memory the plugin may grow to.
    pub max_memory_bytes: usize,
    /// Property `plugin_name`.
    pub plugin_name: String,
    /// The VM configuration (buffer type 6), handed to `proxy_on_vm_start`.
    pub vm_config: Vec<u8>,
    /// Whether Cranelift optimises the plugin's compiled code. Off by
    /// default: a test's emulator runs a few requests, and compiling is
    /// most of its work (a 12.8 MB JavaScript plugin: 25 s of one core
    /// unoptimised, with one-pass register allocation; 42 s optimised). Benchmarks that time requests turn it
    /// on. Fuel counts wasm instructions, so it is the same either way.
    pub optimise_code: bool,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            profile: HostProfile::Higress,
            log_level: LogLevel::Trace,
            fuel_per_callback: 100_000_000_000,
            max_memory_bytes: 512 << 20,
            plugin_name: "gatewit-plugin".into(),
            vm_config: Vec::new(),
            optimise_code: false,
        }
    }
}

/// Stops a plugin that keeps issuing calls from the callbacks of its calls.
const MAX_CALLS_PER_PUMP: usize = 10_000;
/// The root context's id (Envoy numbers contexts from 1 too).
const ROOT_ID: u32 = 1;
/// This plugin VM's id (the Envoy harness's `vm_config.vm_id`): the shared
/// queues the plugin registers belong to it.
pub const VM_ID: &str = "gatewit";
const PAGE: usize = 65536;

/// A proxy-wasm plugin VM under emulation. Implements [`Gateway`] (tier
/// `emulator`).
pub struct Emulator {
    store: Store<HostState>,
    callbacks: HashMap<String, Func>,
    options: EmulatorOptions,
    higress_abi: bool,
    /// Body callbacks run while a headers callback holds the headers: the
    /// Higress ABI, or [`GatewaySetup::body_during_paused_headers`] (stock
    /// Envoy with `allow_on_headers_stop_iteration`).
    body_during_paused_headers: bool,
    next_context: u32,
    /// Set once a callback trapped: like Envoy, the VM is then unusable.
    broken: Option<String>,
    /// Fuel the guest burnt so far (see [`Emulator::fuel_used`]).
    fuel_used: u64,
    /// Exported callbacks called so far (see [`Emulator::callbacks_called`]).
    callbacks_called: u64,
    /// Set while posted `proxy_on_queue_ready` calls are being delivered.
    delivering_queue_ready: bool,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("options", &self.options)
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

/// wasmtime 48 has its own error type; keep its whole chain in ours.
fn wt(e: wasmtime::Error) -> anyhow::Error {
    anyhow::Error::from_boxed(e.into_boxed_dyn_error())
}

fn serialized_config(value: &serde_json::Value) -> anyhow::Result<Vec<u8>> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    serde_json::to_vec(value).context("cannot serialize the plugin configuration")
}

impl Emulator {
    /// Loads `module` (a proxy-wasm core module, binary) with the default
    /// [`EmulatorOptions`], then starts and configures the plugin.
    pub fn new(module: &[u8], setup: &GatewaySetup) -> anyhow::Result<Self> {
        Self::with_options(module, setup, EmulatorOptions::default())
    }

    /// Like [`Emulator::new`] with explicit options.
    pub fn with_options(
        module: &[u8],
        setup: &GatewaySetup,
        options: EmulatorOptions,
    ) -> anyhow::Result<Self> {
        let module = compile::module(module, options.optimise_code)?;
        let engine = module.engine().clone();
        let higress_abi = check_shape(&module)?;
        let redis = options.profile == HostProfile::Higress;

        let mut linker: Linker<HostState> = Linker::new(&engine);
        // Stubs first, then the real hostcalls shadow the ones they cover.
        linker.allow_shadowing(true);
        define_stubs(&mut linker, &module, redis)?;
        hostcalls::add_to_linker(&mut linker, redis)
            .map_err(wt)
            .context("cannot define the proxy-wasm hostcalls")?;
        wasi::add_to_linker(&mut linker)
            .map_err(wt)
            .context("cannot define the wasi hostcalls")?;

        let state = HostState {
            limits: StoreLimitsBuilder::new()
                .memory_size(options.max_memory_bytes)
                .build(),
            phase: Phase::Initializing,
            memory: None,
            plugin_pages: None,
            malloc: None,
            root_id: ROOT_ID,
            effective: ROOT_ID,
            streams: Default::default(),
            root_properties: HashMap::new(),
            plugin_config: serialized_config(&setup.plugin_config)?,
            vm_config: options.vm_config.clone(),
            plugin_name: options.plugin_name.clone(),
            route_name: setup.route_name.clone(),
            upstream_cluster: setup.upstream_cluster.clone(),
            upstream_hosts: setup.upstream_hosts.clone(),
            http_clusters: setup.clusters.http.clone(),
            redis_clusters: setup.clusters.redis.clone(),
            redis_enabled: redis,
            redis: HashMap::new(),
            call_response: None,
            redis_reply: None,
            pending: VecDeque::new(),
            next_token: 0,
            log_level: options.log_level,
            logs: Vec::new(),
            calls: Vec::new(),
            local_replies: Vec::new(),
            shared: HashMap::new(),
            next_cas: 0,
            queues: Vec::new(),
            queue_ready: VecDeque::new(),
            metrics: Vec::new(),
            tick_period_ms: 0,
            done_calls: 0,
            hostcalls: Default::default(),
            guest_allocations: 0,
            notes: Vec::new(),
        };
        let mut store = Store::new(&engine, state);
        store.limiter(|s| &mut s.limits);
        store
            .set_fuel(options.fuel_per_callback)
            .map_err(wt)
            .context("cannot set fuel")?;
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(wt)
            .context("cannot instantiate the plugin module")?;
        // A start function runs inside `instantiate`, on this same budget.
        let fuel_used = fuel_burnt(&store, options.fuel_per_callback);
        bind_exports(&mut store, &instance)?;
        let callbacks = module
            .exports()
            .filter(|e| {
                e.name().starts_with("proxy_on_") || matches!(e.name(), "_initialize" | "_start")
            })
            .filter_map(|e| {
                instance
                    .get_func(&mut store, e.name())
                    .map(|f| (e.name().to_string(), f))
            })
            .collect();
        let mut emulator = Self {
            store,
            callbacks,
            options,
            higress_abi,
            body_during_paused_headers: higress_abi || setup.body_during_paused_headers,
            next_context: ROOT_ID + 1,
            broken: None,
            fuel_used,
            callbacks_called: 0,
            delivering_queue_ready: false,
        };
        emulator.start()?;
        Ok(emulator)
    }

    /// `_initialize` (or `_start`), root context, VM start, configure, as
    /// Envoy does when it loads a plugin.
    fn start(&mut self) -> anyhow::Result<()> {
        let init = if self.callbacks.contains_key("_initialize") {
            "_initialize"
        } else {
            "_start"
        };
        self.call(init, &[])?;
        self.store.data_mut().phase = Phase::Running;
        self.store.data_mut().effective = ROOT_ID;
        self.call("proxy_on_context_create", &[ROOT_ID.into(), 0])?;
        let vm_size = self.store.data().vm_config.len() as u64;
        if self.call("proxy_on_vm_start", &[ROOT_ID.into(), vm_size])? == Some(0) {
            bail!(
                "the plugin rejected the vm start (`proxy_on_vm_start` returned false){}",
                self.reasons(0)
            );
        }
        let logs_before = self.store.data().logs.len();
        let size = self.store.data().plugin_config.len() as u64;
        self.store.data_mut().effective = ROOT_ID;
        if self.call("proxy_on_configure", &[ROOT_ID.into(), size])? == Some(0) {
            bail!(
                "the plugin rejected its configuration (`proxy_on_configure` returned false){}",
                self.reasons(logs_before)
            );
        }
        self.pump()
            .context("running the calls the plugin made while starting")
    }

    /// The plugin's own explanation: what it logged at warn or above since
    /// log line `from` (or everything it logged, if nothing that severe).
    fn reasons(&self, from: usize) -> String {
        let logs = &self.store.data().logs[from.min(self.store.data().logs.len())..];
        let severe: Vec<&str> = logs
            .iter()
            .filter(|l| l.level >= LogLevel::Warn)
            .map(|l| l.message.as_str())
            .collect();
        let picked: Vec<&str> = if severe.is_empty() {
            logs.iter().map(|l| l.message.as_str()).collect()
        } else {
            severe
        };
        if picked.is_empty() {
            ": it logged no reason".into()
        } else {
            format!(": {}", picked.join("; "))
        }
    }

    /// Calls export `name` if the module has it, with `args` converted to
    /// its parameter types. Returns its first result, if any.
    fn call(&mut self, name: &str, args: &[u64]) -> anyhow::Result<Option<u64>> {
        if let Some(why) = &self.broken {
            bail!("the plugin vm failed earlier and is unusable (as in Envoy): {why}");
        }
        let Some(func) = self.callbacks.get(name).copied() else {
            return Ok(None);
        };
        let ty = func.ty(&self.store);
        if ty.params().len() != args.len() {
            bail!(
                "export `{name}` takes {} parameters; proxy-wasm passes {}",
                ty.params().len(),
                args.len()
            );
        }
        let params: Vec<Val> = ty
            .params()
            .zip(args)
            .map(|(t, a)| match t {
                ValType::I64 => Ok(Val::I64(*a as i64)),
                ValType::I32 => Ok(Val::I32(*a as u32 as i32)),
                other => Err(anyhow!(
                    "export `{name}` has a parameter of type `{other}`; proxy-wasm passes integers"
                )),
            })
            .collect::<anyhow::Result<_>>()?;
        let mut results = vec![Val::I32(0); ty.results().len()];
        self.store
            .set_fuel(self.options.fuel_per_callback)
            .map_err(wt)
            .context("cannot set fuel")?;
        self.callbacks_called += 1;
        let outcome = func.call(&mut self.store, &params, &mut results);
        // The budget is per callback, so what is left of it now tells what
        // this callback burnt, including the guest's `malloc` run from
        // inside its hostcalls (same store, same budget).
        self.fuel_used += fuel_burnt(&self.store, self.options.fuel_per_callback);
        if let Err(e) = outcome {
            let err = if e.downcast_ref::<Trap>() == Some(&Trap::OutOfFuel) {
                anyhow!(
                    "plugin callback `{name}` ran out of fuel ({} units): it looks stuck in a loop",
                    self.options.fuel_per_callback
                )
            } else {
                wt(e).context(format!("plugin callback `{name}` trapped"))
            };
            self.broken = Some(format!("{err:#}"));
            return Err(err);
        }
        let first = results.first().and_then(|v| match v {
            Val::I32(x) => Some(*x as u32 as u64),
            Val::I64(x) => Some(*x as u64),
            _ => None,
        });
        self.deliver_queue_ready()?;
        Ok(first)
    }

    /// Delivers the `proxy_on_queue_ready` calls the enqueues of the
    /// callback that just returned posted (Envoy posts one per enqueue to
    /// the worker's dispatcher, so they run once the callback is over), on
    /// the root context. Calls posted by those callbacks are delivered by
    /// the same loop.
    fn deliver_queue_ready(&mut self) -> anyhow::Result<()> {
        if self.delivering_queue_ready {
            return Ok(());
        }
        self.delivering_queue_ready = true;
        let result = self.deliver_queue_ready_loop();
        self.delivering_queue_ready = false;
        result
    }

    fn deliver_queue_ready_loop(&mut self) -> anyhow::Result<()> {
        let mut delivered = 0;
        while let Some(queue) = self.store.data_mut().queue_ready.pop_front() {
            delivered += 1;
            if delivered > MAX_CALLS_PER_PUMP {
                self.store.data_mut().queue_ready.clear();
                bail!(
                    "the plugin enqueued more than {MAX_CALLS_PER_PUMP} items from `proxy_on_queue_ready` in one go"
                );
            }
            let effective = self.store.data().effective;
            self.store.data_mut().effective = ROOT_ID;
            let result = self.call("proxy_on_queue_ready", &[ROOT_ID.into(), queue.into()]);
            self.store.data_mut().effective = effective;
            result?;
        }
        Ok(())
    }

    fn run_http_call(
        &mut self,
        token: u32,
        record: usize,
        addr: std::net::SocketAddr,
    ) -> anyhow::Result<()> {
        let Some(CallRecord::Http {
            request, timeout, ..
        }) = self.store.data().calls.get(record)
        else {
            bail!("internal: http call record {record} is missing");
        };
        let (request, timeout) = (request.clone(), (*timeout).max(Duration::from_millis(1)));
        let outcome = backend::http_call(addr, &request, timeout);
        let args = match &outcome {
            Ok(resp) => {
                self.store.data_mut().call_response = Some(CallResponse {
                    headers: resp.headers.clone(),
                    body: resp.body.clone(),
                    trailers: resp.trailers.clone(),
                });
                [
                    ROOT_ID.into(),
                    token.into(),
                    resp.headers.len() as u64,
                    resp.body.len() as u64,
                    resp.trailers.len() as u64,
                ]
            }
            // Envoy reports a failed call with no headers.
            Err(_) => [ROOT_ID.into(), token.into(), 0, 0, 0],
        };
        if let Some(CallRecord::Http { outcome: slot, .. }) =
            self.store.data_mut().calls.get_mut(record)
        {
            *slot = Some(outcome);
        }
        self.store.data_mut().effective = ROOT_ID;
        let result = self.call("proxy_on_http_call_response", &args);
        self.store.data_mut().call_response = None;
        result.map(drop)
    }

    fn run_redis_call(&mut self, token: u32, record: usize, cluster: &str) -> anyhow::Result<()> {
        let Some(CallRecord::Redis { query, .. }) = self.store.data().calls.get(record) else {
            bail!("internal: redis call record {record} is missing");
        };
        let query = query.clone();
        let Some(client) = self.store.data_mut().redis.get_mut(cluster) else {
            bail!("internal: redis cluster `{cluster}` vanished");
        };
        let timeout = client.timeout;
        let connection = match client.connection.take() {
            Some(c) => Ok(c),
            None => RedisConnection::connect(
                client.addr,
                &client.username,
                &client.password,
                client.database,
                timeout,
            ),
        };
        let outcome: Result<Vec<u8>, (u32, String)> = match connection {
            Err(e) => Err((backend::RedisFailure::Broken.status(), format!("{e:#}"))),
            Ok(mut conn) => match conn.call(&query, timeout) {
                Ok(reply) => {
                    if let Some(client) = self.store.data_mut().redis.get_mut(cluster) {
                        client.connection = Some(conn);
                    }
                    Ok(reply)
                }
                // The connection is dropped; the next call reconnects.
                Err(f) => Err((f.status(), format!("redis call failed: {f:?}"))),
            },
        };
        let args = match &outcome {
            Ok(reply) => [ROOT_ID.into(), token.into(), 0, reply.len() as u64],
            Err((status, _)) => [ROOT_ID.into(), token.into(), u64::from(*status), 0],
        };
        let state = self.store.data_mut();
        state.redis_reply = outcome.as_ref().ok().cloned();
        if let Some(CallRecord::Redis { outcome: slot, .. }) = state.calls.get_mut(record) {
            *slot = Some(outcome);
        }
        state.effective = ROOT_ID;
        let result = self.call("proxy_on_redis_call_response", &args);
        self.store.data_mut().redis_reply = None;
        result.map(drop)
    }
}

impl Gateway for Emulator {
    fn tier(&self) -> &'static str {
        "emulator"
    }

    fn send(
        &mut self,
        request: &HttpRequest,
        upstream: &UpstreamResponse,
    ) -> anyhow::Result<Exchange> {
        self.exchange(request, upstream)
            .with_context(|| format!("emulator: `{} {}`", request.method, request.path))
    }

    fn plugin_logs(&self) -> Vec<String> {
        self.logs()
            .iter()
            .map(|e| {
                let level = gatewit_abi::proxy::log_level::envoy_name(e.level as u32);
                format!("[{level}] {}", e.message)
            })
            .collect()
    }
}

/// What the guest burnt of the `budget` the store was last given.
fn fuel_burnt(store: &Store<HostState>, budget: u64) -> u64 {
    // `get_fuel` fails only when fuel consumption is off; it is always on
    // here.
    budget.saturating_sub(store.get_fuel().unwrap_or(budget))
}

/// Envoy's load-time checks: one exported memory named `memory`, an ABI
/// marker, an allocator. Returns whether the Higress marker is present.
fn check_shape(module: &Module) -> anyhow::Result<bool> {
    let memories: Vec<&str> = module
        .exports()
        .filter(|e| matches!(e.ty(), ExternType::Memory(_)))
        .map(|e| e.name())
        .collect();
    match memories.as_slice() {
        ["memory"] => {}
        [] => bail!(
            "the module exports no linear memory; proxy-wasm hosts need exactly one, named `memory`"
        ),
        [other] => bail!(
            "the module exports its memory as `{other}`; proxy-wasm hosts need it named `memory`"
        ),
        many => bail!(
            "the module exports {} memories ({}); proxy-wasm hosts need exactly one",
            many.len(),
            many.join(", ")
        ),
    }
    let has = |name: &str| {
        module
            .exports()
            .any(|e| e.name() == name && matches!(e.ty(), ExternType::Func(_)))
    };
    let higress = has("proxy_abi_version_0_2_100");
    if !higress && !has("proxy_abi_version_0_2_1") {
        bail!(
            "the module exports no proxy-wasm ABI marker (`proxy_abi_version_0_2_1` or `proxy_abi_version_0_2_100`)"
        );
    }
    if !has("malloc") && !has("proxy_on_memory_allocate") {
        bail!(
            "the module exports no allocator (`malloc` or `proxy_on_memory_allocate`) for the host to hand it data"
        );
    }
    Ok(higress)
}

/// Stores the memory and allocator handles the hostcalls need.
fn bind_exports(store: &mut Store<HostState>, instance: &Instance) -> anyhow::Result<()> {
    let memory = instance
        .get_memory(&mut *store, "memory")
        .context("export `memory` is not a memory")?;
    let malloc = match instance.get_typed_func::<u32, u32>(&mut *store, "malloc") {
        Ok(f) => f,
        Err(_) => instance
            .get_typed_func::<u32, u32>(&mut *store, "proxy_on_memory_allocate")
            .map_err(wt)
            .context("the allocator export must have type `(i32) -> i32`")?,
    };
    store.data_mut().memory = Some(memory);
    store.data_mut().malloc = Some(malloc);
    store.data_mut().plugin_pages =
        instance.get_global(&mut *store, gatewit_abi::PLUGIN_PAGES_EXPORT);
    Ok(())
}

/// Defines a stub for every function the module imports: WASI ones answer
/// ENOSYS and proxy-wasm ones `Unimplemented` unless a real hostcall later
/// shadows them. An import no proxy-wasm host of this profile provides is a
/// load error naming it, as Envoy's "missing import" failure.
fn define_stubs(
    linker: &mut Linker<HostState>,
    module: &Module,
    redis: bool,
) -> anyhow::Result<()> {
    for import in module.imports() {
        let (ns, name) = (import.module(), import.name());
        let ExternType::Func(ty) = import.ty() else {
            bail!(
                "the module imports `{ns}.{name}`, which is not a function; proxy-wasm hosts provide only functions"
            );
        };
        let code = match ns {
            "wasi_snapshot_preview1" => wasi::NOSYS,
            "env" => {
                hostcalls::check_env_import(name, redis)?;
                if !hostcalls::is_implemented(name, redis)
                    && !hostcalls::is_known_unimplemented(name)
                {
                    bail!(
                        "the module imports `{ns}.{name}`, which a proxy-wasm v0.2.1 host does not provide"
                    );
                }
                abi::status::UNIMPLEMENTED
            }
            _ => bail!(
                "the module imports `{ns}.{name}`; a proxy-wasm host provides only `env` and `wasi_snapshot_preview1`"
            ),
        };
        let label = format!("{ns}.{name}");
        linker
            .func_new(ns, name, ty.clone(), move |mut caller, _params, results| {
                caller
                    .data_mut()
                    .notes
                    .push(format!("called unimplemented `{label}`"));
                for (slot, t) in results.iter_mut().zip(ty.results()) {
                    *slot = match t {
                        ValType::I64 => Val::I64(i64::from(code)),
                        ValType::I32 => Val::I32(code as i32),
                        _ => Val::null_func_ref(),
                    };
                }
                Ok(())
            })
            .map_err(wt)?;
    }
    Ok(())
}
