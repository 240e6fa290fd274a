//! The registries: the configuration in force, the live requests'
//! contexts, and the callbacks of outbound calls waiting for an answer.
//!
//! No `RefCell` borrow outlives a function here: a context is taken out
//! for the duration of a callback and a call's callback is removed before
//! it runs, so plugin code can call back into the SDK freely.

use std::any::Any;
use std::cell::RefCell;
// BTreeMap, not HashMap: no hasher seed, so no `wasi:random` import.
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::context::HttpContext;
use crate::http_client::HttpResponse;
use crate::redis::{RedisError, Value};

pub(crate) type HttpCallback = Box<dyn FnOnce(&mut HttpContext, HttpResponse)>;
pub(crate) type RedisCallback = Box<dyn FnOnce(&mut HttpContext, Result<Value, RedisError>)>;

/// A call's callback and the request that made it (0: none).
pub(super) struct Pending<F> {
    pub(super) ctx: u32,
    pub(super) callback: F,
}

thread_local! {
    static CONFIG: RefCell<Option<Rc<dyn Any>>> = const { RefCell::new(None) };
    static REQUESTS: RefCell<BTreeMap<u32, HttpContext>> = const { RefCell::new(BTreeMap::new()) };
    static HTTP_CALLS: RefCell<BTreeMap<u32, Pending<HttpCallback>>> = const { RefCell::new(BTreeMap::new()) };
    static REDIS_CALLS: RefCell<BTreeMap<u32, Pending<RedisCallback>>> = const { RefCell::new(BTreeMap::new()) };
}

/// The parsed rule set in force (a `RuleSet<P::Config>`), if any.
pub(super) fn config() -> Option<Rc<dyn Any>> {
    CONFIG.with(|c| c.borrow().clone())
}

pub(super) fn set_config(set: Rc<dyn Any>) {
    CONFIG.with(|c| *c.borrow_mut() = Some(set));
}

/// Takes request `id`'s context out, if it has one.
pub(super) fn take_context(id: u32) -> Option<HttpContext> {
    if id == 0 {
        return None;
    }
    REQUESTS.with(|m| m.borrow_mut().remove(&id))
}

/// Puts a context back (contexts outside a request are not kept).
pub(super) fn put_context(ctx: HttpContext) {
    if ctx.id() != 0 {
        REQUESTS.with(|m| m.borrow_mut().insert(ctx.id(), ctx));
    }
}

pub(crate) fn register_http_callback(call: u32, callback: HttpCallback) {
    let ctx = super::current_context();
    HTTP_CALLS.with(|m| m.borrow_mut().insert(call, Pending { ctx, callback }));
}

pub(crate) fn register_redis_callback(call: u32, callback: RedisCallback) {
    let ctx = super::current_context();
    REDIS_CALLS.with(|m| m.borrow_mut().insert(call, Pending { ctx, callback }));
}

pub(super) fn take_http_callback(call: u32) -> Option<Pending<HttpCallback>> {
    HTTP_CALLS.with(|m| m.borrow_mut().remove(&call))
}

pub(super) fn take_redis_callback(call: u32) -> Option<Pending<RedisCallback>> {
    REDIS_CALLS.with(|m| m.borrow_mut().remove(&call))
}

/// What a finished request leaves behind: its context and the callbacks
/// of its calls still in flight.
pub(super) type Leftovers = (
    Option<HttpContext>,
    Vec<Pending<HttpCallback>>,
    Vec<Pending<RedisCallback>>,
);

/// Takes out everything request `ctx` left behind, for the caller to drop
/// outside any borrow (the callbacks' captures may run `Drop` code that
/// calls back into the SDK).
pub(super) fn take_request(ctx: u32) -> Leftovers {
    fn of_request<F>(m: &mut BTreeMap<u32, Pending<F>>, ctx: u32) -> Vec<Pending<F>> {
        let ids: Vec<u32> = m
            .iter()
            .filter(|(_, p)| p.ctx == ctx)
            .map(|(k, _)| *k)
            .collect();
        ids.into_iter().filter_map(|k| m.remove(&k)).collect()
    }
    let context = take_context(ctx);
    let http = HTTP_CALLS.with(|m| of_request(&mut m.borrow_mut(), ctx));
    let redis = REDIS_CALLS.with(|m| of_request(&mut m.borrow_mut(), ctx));
    (context, http, redis)
}
