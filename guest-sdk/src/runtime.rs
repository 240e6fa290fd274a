//! Dispatch from the exported WIT callbacks to a [`Plugin`].
//!
//! State lives in thread-locals (a plugin instance is single-threaded).
//! No `RefCell` borrow is ever held while plugin code runs: a request's
//! [`HttpContext`] is taken out of the map for the duration of a callback,
//! and closures are removed from their registry before they are called, so
//! plugin code can freely call back into the SDK.

use std::any::Any;
use std::cell::{Cell, RefCell};
// BTreeMap, not HashMap: no hasher seed, so no `wasi:random` import.
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::rc::Rc;

use crate::bindings::exports::gatewit::plugin::guest::{
    CallFailure as WitCallFailure, Guest, HttpResponse as WitHttpResponse,
};
use crate::bindings::gatewit::plugin::types::{
    BodyAction as WitBodyAction, HeaderAction as WitHeaderAction,
};
use crate::context::{HttpContext, Phase, Resolved};
use crate::host::{self, BodyKind};
use crate::http_client::{CallFailure, HttpResponse};
use crate::plugin::{DataAction, HeaderAction, Plugin, PluginContext, hooks};
use crate::redis::{RedisError, Value};
use crate::route_call::{self, RouteCall};
use crate::rules::{MatchInputs, RuleSet};
use crate::shared_data::SharedQueue;

pub(crate) type HttpCallback = Box<dyn FnOnce(&mut HttpContext, HttpResponse)>;
pub(crate) type RedisCallback = Box<dyn FnOnce(&mut HttpContext, Result<Value, RedisError>)>;

struct Pending<F> {
    ctx: u32,
    callback: F,
}

struct Tick {
    period_ms: u64,
    next_due_ms: u64,
    f: TickFn,
}

/// A tick function, reachable while it runs without a borrow of the tick
/// list: a panicking tick must not take the list (or itself) with it.
type TickFn = Rc<std::cell::UnsafeCell<Box<dyn FnMut()>>>;

#[derive(Default)]
struct Ticks {
    entries: Vec<Tick>,
    /// The greatest common divisor of the periods.
    base_ms: u64,
    /// The host timer's period now: [`FIRST_TICK_MS`] (or less) until the
    /// first tick after a registration, then `base_ms`.
    timer_ms: u64,
    elapsed_ms: u64,
}

/// Higress's Go wrapper ticks every 100 ms and runs every function on its
/// first tick (plugins such as oidc fetch their keys that way), so a new
/// function runs 100 ms after it is registered, then every period.
const FIRST_TICK_MS: u64 = 100;

fn set_timer(ms: u64) {
    host::set_tick_period(u32::try_from(ms).unwrap_or(u32::MAX));
}

thread_local! {
    static CONFIG: RefCell<Option<Rc<dyn Any>>> = const { RefCell::new(None) };
    static REQUESTS: RefCell<BTreeMap<u32, HttpContext>> = const { RefCell::new(BTreeMap::new()) };
    static HTTP_CALLS: RefCell<BTreeMap<u32, Pending<HttpCallback>>> = const { RefCell::new(BTreeMap::new()) };
    static REDIS_CALLS: RefCell<BTreeMap<u32, Pending<RedisCallback>>> = const { RefCell::new(BTreeMap::new()) };
    static TICKS: RefCell<Ticks> = RefCell::new(Ticks::default());
    static CURRENT: Cell<u32> = const { Cell::new(0) };
    static PLUGIN_NAME: Cell<&'static str> = const { Cell::new("") };
    static HOOKS: Cell<u32> = const { Cell::new(0) };
    static PLUGIN_ID: RefCell<Rc<str>> = RefCell::new(Rc::from(""));
    static REQUEST_ID: RefCell<Option<Rc<str>>> = const { RefCell::new(None) };
}

/// The `x-request-id` of the request whose callback is running.
pub(crate) fn request_id() -> Option<Rc<str>> {
    REQUEST_ID.with(|r| r.try_borrow().ok().and_then(|r| r.clone()))
}

fn set_request_id(id: Option<Rc<str>>) {
    REQUEST_ID.with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            *r = id;
        }
    });
}

/// The request whose callback is running (0: none).
pub(crate) fn current_context() -> u32 {
    CURRENT.get()
}

pub(crate) fn plugin_name() -> &'static str {
    PLUGIN_NAME.get()
}

/// Whether the host calls the plugin's response phases (which a route call
/// needs to hand the answer over).
pub(crate) fn response_phases_enabled() -> bool {
    let both = hooks::RESPONSE_HEADERS | hooks::RESPONSE_BODY;
    HOOKS.get() & both == both
}

pub(crate) fn plugin_id() -> Rc<str> {
    PLUGIN_ID.with(|id| id.borrow().clone())
}

pub(crate) fn register_http_callback(call: u32, callback: HttpCallback) {
    let ctx = current_context();
    HTTP_CALLS.with(|m| m.borrow_mut().insert(call, Pending { ctx, callback }));
}

pub(crate) fn register_redis_callback(call: u32, callback: RedisCallback) {
    let ctx = current_context();
    REDIS_CALLS.with(|m| m.borrow_mut().insert(call, Pending { ctx, callback }));
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Run `f` every `period_ms` milliseconds (Higress `RegisterTickFunc`):
/// first about 100 ms after registering it, as Go does, then every period.
///
/// Several periods share the host's single tick timer: after the first
/// tick its period is the greatest common divisor of the registered
/// periods. Register from [`Plugin::on_plugin_start`]; a configuration
/// reload clears the list. A period of 0 is ignored.
pub fn register_tick(period_ms: u32, f: impl FnMut() + 'static) {
    if period_ms == 0 {
        return;
    }
    let period = u64::from(period_ms);
    let timer = TICKS.with(|t| {
        let mut t = t.borrow_mut();
        // Due at the next tick, which comes soon.
        let next_due_ms = t.elapsed_ms;
        t.entries.push(Tick {
            period_ms: period,
            next_due_ms,
            f: Rc::new(std::cell::UnsafeCell::new(Box::new(f))),
        });
        t.base_ms = t.entries.iter().fold(0, |g, e| gcd(g, e.period_ms));
        t.timer_ms = t.base_ms.min(FIRST_TICK_MS);
        t.timer_ms
    });
    set_timer(timer);
}

/// Take the tick list out, so a (re)configuration starts from none.
fn take_ticks() -> Ticks {
    TICKS.with(|t| std::mem::take(&mut *t.borrow_mut()))
}

/// Put back the tick list of the configuration that stays in force.
fn restore_ticks(old: Ticks) {
    let timer = (!old.entries.is_empty()).then_some(old.timer_ms);
    TICKS.with(|t| *t.borrow_mut() = old);
    if let Some(timer) = timer {
        set_timer(timer);
    }
}

fn run_ticks() {
    CURRENT.set(0);
    // The due functions, with their next time set before any runs: if one
    // panics, the list is intact and every tick fires again next period.
    let (due, slow_down) = TICKS.with(|t| {
        let mut t = t.borrow_mut();
        t.elapsed_ms += t.timer_ms;
        let now = t.elapsed_ms;
        // After the first tick, the timer runs at the periods' pace.
        let slow_down = (t.timer_ms != t.base_ms).then_some(t.base_ms);
        if let Some(base) = slow_down {
            t.timer_ms = base;
        }
        let due = t
            .entries
            .iter_mut()
            .filter(|e| now >= e.next_due_ms)
            .map(|e| {
                e.next_due_ms = now + e.period_ms;
                e.f.clone()
            })
            .collect::<Vec<TickFn>>();
        (due, slow_down)
    });
    if let Some(base) = slow_down {
        set_timer(base);
    }
    for f in due {
        // SAFETY: tick functions run only from here, one at a time, and
        // ticks never nest (the host does not call back into a running
        // callback), so this is the only reference to the closure.
        unsafe { (*f.get())() };
    }
}

struct LazyInputs {
    authority: Option<String>,
    route: Option<String>,
    cluster: Option<String>,
}

fn property_string(name: &str) -> String {
    host::get_property(&[name])
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default()
}

impl MatchInputs for LazyInputs {
    fn authority(&mut self) -> &str {
        self.authority.get_or_insert_with(|| {
            host::get_header(host::MapKind::RequestHeaders, ":authority").unwrap_or_default()
        })
    }
    fn route_name(&mut self) -> &str {
        self.route
            .get_or_insert_with(|| property_string("route_name"))
    }
    fn cluster_name(&mut self) -> &str {
        self.cluster
            .get_or_insert_with(|| property_string("cluster_name"))
    }
}

fn resolve<P: Plugin>(ctx: &mut HttpContext) -> Option<Rc<P::Config>> {
    if let Resolved::Pending = ctx.config {
        let set = CONFIG.with(|c| c.borrow().clone());
        let found = set
            .and_then(|any| any.downcast::<RuleSet<P::Config>>().ok())
            .and_then(|set| {
                set.lookup(&mut LazyInputs {
                    authority: None,
                    route: None,
                    cluster: None,
                })
            });
        ctx.config = match found {
            Some(c) => Resolved::Ready(c),
            None => Resolved::Skip,
        };
    }
    match &ctx.config {
        Resolved::Ready(c) => c.clone().downcast::<P::Config>().ok(),
        _ => None,
    }
}

fn take_context(id: u32) -> HttpContext {
    REQUESTS
        .with(|m| m.borrow_mut().remove(&id))
        .unwrap_or_else(|| HttpContext::new(id))
}

fn put_context(ctx: HttpContext) {
    if ctx.id() != 0 {
        REQUESTS.with(|m| m.borrow_mut().insert(ctx.id(), ctx));
    }
}

/// Run `f` for request `id` with its resolved config; `default` when the
/// plugin is skipped for this request.
fn with_request<P: Plugin, R>(
    id: u32,
    phase: Phase,
    default: R,
    f: impl FnOnce(&mut HttpContext, &P::Config) -> R,
) -> R {
    CURRENT.set(id);
    if crate::panic::failed(id) {
        return default;
    }
    let mut ctx = take_context(id);
    ctx.phase = phase;
    set_request_id(ctx.request_id.clone());
    if phase == Phase::RequestHeaders {
        crate::rebuild::on_request();
    }
    let result = match resolve::<P>(&mut ctx) {
        Some(config) => f(&mut ctx, &config),
        None => default,
    };
    let later_phases = hooks::RESPONSE_HEADERS_DEFINED
        | hooks::BUFFERED_RESPONSE_BODY
        | hooks::STREAMING_RESPONSE_BODY
        | hooks::STREAM_DONE;
    if phase == Phase::RequestHeaders && ctx.request_id.is_none() && P::__HOOKS & later_phases != 0
    {
        // Kept for log lines in the response phases, where Envoy serves
        // neither the request headers nor `request.id` (Higress's Go
        // wrapper writes property `x_request_id` on every request for the
        // same reason). The header after the plugin's code: a plugin that
        // read headers last has the map cached, so this usually costs no
        // hostcall (measured: +1.4k instructions a request on the header
        // benchmark; the `request.id` attribute costs ~14k in Envoy, a
        // fresh header-map fetch ~12k).
        ctx.request_id = host::get_header(host::MapKind::RequestHeaders, "x-request-id")
            .filter(|v| !v.is_empty())
            .map(Rc::from);
    }
    put_context(ctx);
    result
}

fn header_action(a: HeaderAction) -> WitHeaderAction {
    match a {
        HeaderAction::Continue => WitHeaderAction::Continue,
        HeaderAction::Pause => WitHeaderAction::Pause,
        HeaderAction::ContinueAndEndStream => WitHeaderAction::ContinueAndEndStream,
        HeaderAction::StopAllAndBuffer => WitHeaderAction::StopAllAndBuffer,
        HeaderAction::StopAllAndWatermark => WitHeaderAction::StopAllAndWatermark,
    }
}

fn data_action(a: DataAction) -> WitBodyAction {
    match a {
        DataAction::Continue => WitBodyAction::Continue,
        DataAction::Pause => WitBodyAction::Pause,
        DataAction::StopAndWatermark => WitBodyAction::StopAndWatermark,
        DataAction::StopNoBuffer => WitBodyAction::StopNoBuffer,
    }
}

/// Which body method handles this request: `Some(true)` streaming,
/// `Some(false)` buffered, `None` neither.
fn body_mode(
    bits: u32,
    buffered_flag: u32,
    streaming_flag: u32,
    force_buffer: bool,
) -> Option<bool> {
    let buffered = bits & buffered_flag != 0;
    let streaming = bits & streaming_flag != 0;
    match (buffered, streaming) {
        (_, true) if !(buffered && force_buffer) => Some(true),
        (true, _) => Some(false),
        _ => None,
    }
}

fn body_phase<P: Plugin>(id: u32, size: u32, end_of_stream: bool, request: bool) -> WitBodyAction {
    let phase = if request {
        Phase::RequestBody
    } else {
        Phase::ResponseBody
    };
    let action = with_request::<P, _>(id, phase, DataAction::Continue, |ctx, config| {
        let action = body_callback::<P>(ctx, config, size, end_of_stream, request);
        if request && action == DataAction::Continue {
            // A body Continue lets held request headers go on too.
            ctx.request_headers_held = false;
        }
        action
    });
    data_action(action)
}

/// One body callback of request `ctx` with its config.
fn body_callback<P: Plugin>(
    ctx: &mut HttpContext,
    config: &P::Config,
    size: u32,
    end_of_stream: bool,
    request: bool,
) -> DataAction {
    if request {
        ctx.request_body_complete = end_of_stream;
    } else if !matches!(ctx.route_call, RouteCall::None) {
        // A route call owns the response: the plugin's methods are not
        // called, whatever its body switches say.
        return route_call::on_response_body(ctx, size, end_of_stream);
    }
    let skip = if request {
        ctx.skip_request_body()
    } else {
        ctx.skip_response_body()
    };
    if skip {
        return DataAction::Continue;
    }
    let (mode, kind) = if request {
        (
            body_mode(
                P::__HOOKS,
                hooks::BUFFERED_REQUEST_BODY,
                hooks::STREAMING_REQUEST_BODY,
                ctx.buffer_request_body,
            ),
            BodyKind::RequestBody,
        )
    } else {
        (
            body_mode(
                P::__HOOKS,
                hooks::BUFFERED_RESPONSE_BODY,
                hooks::STREAMING_RESPONSE_BODY,
                ctx.buffer_response_body,
            ),
            BodyKind::ResponseBody,
        )
    };
    match mode {
        None => DataAction::Continue,
        Some(true) => {
            let chunk = host::get_body(kind, 0, size);
            let was_empty = chunk.is_empty();
            // The chunk goes back whatever the handler did, as Higress's Go
            // wrapper does: telling an unchanged chunk apart would take a
            // copy and a comparison of every chunk, which cost more than
            // the host's copy of it.
            let replaced = if request {
                P::on_streaming_request_body(ctx, config, chunk, end_of_stream)
            } else {
                P::on_streaming_response_body(ctx, config, chunk, end_of_stream)
            };
            // A route call made from this chunk replaced the body itself.
            let routed = request && ctx.route_call_pending();
            let nothing_to_send = was_empty && replaced.is_empty();
            if !(routed || nothing_to_send)
                && let Err(e) = host::replace_body(kind, &replaced)
            {
                crate::log_error!("failed to replace body chunk: {e}");
            }
            if !request && std::mem::take(&mut ctx.pause_streaming_response) {
                return DataAction::StopNoBuffer;
            }
            DataAction::Continue
        }
        Some(false) => {
            if !end_of_stream {
                // Envoy keeps buffering while the callback pauses.
                return DataAction::Pause;
            }
            let body = host::get_body(kind, 0, size);
            if request {
                P::on_request_body(ctx, config, &body)
            } else {
                P::on_response_body(ctx, config, &body)
            }
        }
    }
}

/// Runs an HTTP or Redis call's callback `f` for request `id`; the request
/// keeps its phase.
fn run_with_context<F: FnOnce(&mut HttpContext)>(id: u32, f: F) {
    CURRENT.set(id);
    if crate::panic::failed(id) {
        // The request panicked earlier: its callbacks are dropped unrun.
        return;
    }
    let existing = if id == 0 {
        None
    } else {
        REQUESTS.with(|m| m.borrow_mut().remove(&id))
    };
    let known = existing.is_some();
    let mut ctx = existing.unwrap_or_else(|| HttpContext::new(id));
    ctx.in_call_callback = true;
    set_request_id(ctx.request_id.clone());
    f(&mut ctx);
    ctx.in_call_callback = false;
    if known {
        put_context(ctx);
    }
}

/// The exported `guest` interface for plugin `P` (used by the
/// `#[gatewit_sdk::plugin]` expansion).
pub struct Glue<P>(PhantomData<P>);

impl<P: Plugin> Guest for Glue<P> {
    fn on_plugin_start(config: Vec<u8>) -> Result<(), String> {
        CURRENT.set(0);
        crate::panic::install_hook();
        PLUGIN_NAME.set(P::__NAME);
        HOOKS.set(P::__HOOKS);
        // A rejected reload keeps the previous configuration and its ticks.
        let old_ticks = take_ticks();
        let had_ticks = !old_ticks.entries.is_empty();
        let old_id = plugin_id();
        let started = RuleSet::<P::Config>::parse(
            &config,
            &mut |v| P::parse_config(v),
            &mut |g, merged, rule| P::parse_rule_config(g, merged, rule),
        )
        .and_then(|set| {
            PLUGIN_ID.with(|id| *id.borrow_mut() = Rc::from(set.plugin_id()));
            let mut start = PluginContext {
                global: set.global().map(|c| &**c),
                raw: &config,
                plugin_id: set.plugin_id(),
            };
            P::on_plugin_start(&mut start)?;
            Ok(set)
        });
        let set = match started {
            Ok(set) => set,
            Err(e) => {
                let registered = !take_ticks().entries.is_empty();
                if registered && !had_ticks {
                    host::set_tick_period(0);
                }
                restore_ticks(old_ticks);
                PLUGIN_ID.with(|id| *id.borrow_mut() = old_id);
                // The message reaches the gateway's log.
                return Err(crate::redact::config_error(e, &config));
            }
        };
        for warning in set.warnings() {
            crate::log_warn!("{warning}");
        }
        let has_ticks = TICKS.with(|t| !t.borrow().entries.is_empty());
        if had_ticks && !has_ticks {
            host::set_tick_period(0);
        }
        drop(old_ticks);
        let set: Rc<dyn Any> = Rc::new(set);
        CONFIG.with(|c| *c.borrow_mut() = Some(set));
        Ok(())
    }

    fn on_context_create(_ctx: u32) {
        // Contexts are created lazily by the first phase that needs one, so
        // a host calling this for a plugin without per-request methods (and
        // thus without `on-request-done`) cannot leak them.
    }

    fn on_request_headers(ctx: u32, _header_count: u32, end_of_stream: bool) -> WitHeaderAction {
        let action = with_request::<P, _>(
            ctx,
            Phase::RequestHeaders,
            HeaderAction::Continue,
            |c, cfg| {
                c.request_headers_end_stream = Some(end_of_stream);
                let action = if P::__HOOKS & hooks::REQUEST_HEADERS_DEFINED != 0 {
                    P::on_request_headers(c, cfg)
                } else {
                    HeaderAction::Continue
                };
                c.request_headers_held = !matches!(
                    action,
                    HeaderAction::Continue | HeaderAction::ContinueAndEndStream
                );
                action
            },
        );
        header_action(action)
    }

    fn on_request_body(ctx: u32, body_size: u32, end_of_stream: bool) -> WitBodyAction {
        body_phase::<P>(ctx, body_size, end_of_stream, true)
    }

    fn on_request_trailers(_ctx: u32, _trailer_count: u32) -> WitHeaderAction {
        WitHeaderAction::Continue
    }

    fn on_response_headers(ctx: u32, _header_count: u32, end_of_stream: bool) -> WitHeaderAction {
        let action = with_request::<P, _>(
            ctx,
            Phase::ResponseHeaders,
            HeaderAction::Continue,
            |c, cfg| {
                c.response_headers_end_stream = Some(end_of_stream);
                if !matches!(c.route_call, RouteCall::None) {
                    // The route call's callback replaces the plugin's
                    // response methods.
                    return route_call::on_response_headers(c, end_of_stream);
                }
                if P::__HOOKS & hooks::RESPONSE_HEADERS_DEFINED != 0 {
                    P::on_response_headers(c, cfg)
                } else {
                    HeaderAction::Continue
                }
            },
        );
        header_action(action)
    }

    fn on_response_body(ctx: u32, body_size: u32, end_of_stream: bool) -> WitBodyAction {
        body_phase::<P>(ctx, body_size, end_of_stream, false)
    }

    fn on_response_trailers(_ctx: u32, _trailer_count: u32) -> WitHeaderAction {
        WitHeaderAction::Continue
    }

    fn on_request_done(ctx: u32) {
        CURRENT.set(ctx);
        if P::__HOOKS & hooks::STREAM_DONE != 0 {
            with_request::<P, _>(ctx, Phase::StreamDone, (), |c, cfg| {
                P::on_stream_done(c, cfg)
            });
        }
        let context = REQUESTS.with(|m| m.borrow_mut().remove(&ctx));
        // Drop closures outside the borrows: their captures may run Drop
        // code that calls back into the SDK.
        let http: Vec<_> = HTTP_CALLS.with(|m| {
            let mut m = m.borrow_mut();
            let ids: Vec<u32> = m
                .iter()
                .filter(|(_, p)| p.ctx == ctx)
                .map(|(k, _)| *k)
                .collect();
            ids.into_iter().filter_map(|k| m.remove(&k)).collect()
        });
        let redis: Vec<_> = REDIS_CALLS.with(|m| {
            let mut m = m.borrow_mut();
            let ids: Vec<u32> = m
                .iter()
                .filter(|(_, p)| p.ctx == ctx)
                .map(|(k, _)| *k)
                .collect();
            ids.into_iter().filter_map(|k| m.remove(&k)).collect()
        });
        drop((context, http, redis));
        crate::panic::forget(ctx);
        CURRENT.set(0);
    }

    fn on_tick() {
        run_ticks();
    }

    fn on_queue_ready(queue: u32) {
        CURRENT.set(0);
        if P::__HOOKS & hooks::QUEUE_READY != 0 {
            P::on_queue_ready(SharedQueue::from_id(queue));
        }
    }

    fn on_http_call_response(
        ctx: u32,
        call: u32,
        response: Result<WitHttpResponse, WitCallFailure>,
    ) {
        let Some(pending) = HTTP_CALLS.with(|m| m.borrow_mut().remove(&call)) else {
            return;
        };
        let response = match response {
            Ok(r) => HttpResponse::from_parts(r.headers, r.body),
            Err(WitCallFailure::Timeout) => HttpResponse::failed(CallFailure::Timeout),
            Err(WitCallFailure::Reset) => HttpResponse::failed(CallFailure::Reset),
        };
        let id = if ctx != 0 { ctx } else { pending.ctx };
        run_with_context(id, |c| (pending.callback)(c, response));
    }

    fn on_redis_call_response(ctx: u32, call: u32, reply: Result<Vec<u8>, u32>) {
        let Some(pending) = REDIS_CALLS.with(|m| m.borrow_mut().remove(&call)) else {
            return;
        };
        let result = match reply {
            Ok(bytes) => crate::redis::parse_reply(&bytes),
            Err(status) => Err(RedisError::CallFailed(status)),
        };
        let id = if ctx != 0 { ctx } else { pending.ctx };
        run_with_context(id, |c| (pending.callback)(c, result));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_modes() {
        let b = hooks::BUFFERED_REQUEST_BODY;
        let s = hooks::STREAMING_REQUEST_BODY;
        assert_eq!(body_mode(0, b, s, false), None);
        assert_eq!(body_mode(b, b, s, false), Some(false));
        assert_eq!(body_mode(s, b, s, false), Some(true));
        assert_eq!(body_mode(s, b, s, true), Some(true), "no buffered method");
        assert_eq!(body_mode(b | s, b, s, false), Some(true));
        assert_eq!(body_mode(b | s, b, s, true), Some(false));
    }

    #[test]
    fn tick_gcd() {
        assert_eq!(gcd(0, 1000), 1000);
        assert_eq!(gcd(1000, 1500), 500);
    }
}
