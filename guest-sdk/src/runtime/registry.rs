//! The registries: the configuration in force, the live requests'
//! contexts, and the callbacks of outbound calls waiting for an answer.
//!
//! No `RefCell` borrow outlives a function here: a context is taken out
//! for the duration of a callback and a call's callback is removed before
//! it runs, so plugin code can call back into the SDK freely.

use std::any::Any;
use std::cell::RefCell;
// A HashMap with a fixed hasher: no hasher seed, so no `wasi:random`
// import.
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
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

/// Hashes a context id. Ids are the host's, unique among live requests,
/// and not chosen by clients, so spreading them is all a hash must do.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only `u32` keys are hashed here; bytes are folded in for
        // completeness.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, id: u32) {
        // Fibonacci hashing: the table takes its control bits from the top.
        self.0 = u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The live requests' contexts, boxed: a callback moves its context out
/// and back, a pointer rather than the whole context.
struct Contexts {
    /// The context put back last. A request's phases mostly follow one
    /// another with no other request's callback in between, so most
    /// callbacks find their context here and the table is not touched.
    last: Option<Box<HttpContext>>,
    /// The others.
    rest: HashMap<u32, Box<HttpContext>, BuildHasherDefault<IdHasher>>,
}

thread_local! {
    static CONFIG: RefCell<Option<Rc<dyn Any>>> = const { RefCell::new(None) };
    static REQUESTS: RefCell<Contexts> = const {
        RefCell::new(Contexts { last: None, rest: HashMap::with_hasher(BuildHasherDefault::new()) })
    };
    static HTTP_CALLS: RefCell<Calls<HttpCallback>> = const { RefCell::new(Calls(Vec::new())) };
    static REDIS_CALLS: RefCell<Calls<RedisCallback>> = const { RefCell::new(Calls(Vec::new())) };
}

/// The calls in flight, by the host's call id. A list, not a map: calls
/// in flight are few, and every code path here is compiled by the gateway
/// at start-up whether a plugin makes calls or not (a `BTreeMap` per
/// callback type was 10 KB of the module).
struct Calls<F>(Vec<(u32, Pending<F>)>);

impl<F> Calls<F> {
    /// The host does not reuse an id while its call is in flight; a reused
    /// one replaces the stale entry, as a map's insert would, and hands it
    /// back to be dropped outside the borrow.
    #[must_use]
    fn insert(&mut self, call: u32, pending: Pending<F>) -> Option<Pending<F>> {
        let stale = self.remove(call);
        self.0.push((call, pending));
        stale
    }

    fn remove(&mut self, call: u32) -> Option<Pending<F>> {
        let at = self.0.iter().position(|(id, _)| *id == call)?;
        Some(self.0.swap_remove(at).1)
    }

    /// Takes out the calls request `ctx` made.
    fn of_request(&mut self, ctx: u32) -> Vec<Pending<F>> {
        self.0
            .extract_if(.., |(_, p)| p.ctx == ctx)
            .map(|(_, p)| p)
            .collect()
    }
}

/// The parsed rule set in force (a `RuleSet<P::Config>`), if any.
pub(super) fn config() -> Option<Rc<dyn Any>> {
    CONFIG.with(|c| c.borrow().clone())
}

pub(super) fn set_config(set: Rc<dyn Any>) {
    CONFIG.with(|c| *c.borrow_mut() = Some(set));
}

/// Takes request `id`'s context out, if it has one.
pub(super) fn take_context(id: u32) -> Option<Box<HttpContext>> {
    if id == 0 {
        return None;
    }
    REQUESTS.with(|m| {
        let mut m = m.borrow_mut();
        match &m.last {
            Some(last) if last.id() == id => m.last.take(),
            _ if m.rest.is_empty() => None,
            _ => m.rest.remove(&id),
        }
    })
}

/// Puts a context back (contexts outside a request are not kept).
pub(super) fn put_context(ctx: Box<HttpContext>) {
    let id = ctx.id();
    if id == 0 {
        return;
    }
    // A callback nested in this one (a resumed stream's) may have put a
    // context of the same request: this one wins, as with any map's
    // insert. The one it replaces is dropped outside the borrow, as its
    // values' `Drop` may call back into the SDK.
    let _replaced = REQUESTS.with(|m| {
        let mut m = m.borrow_mut();
        let mut replaced = None;
        if !m.rest.is_empty() {
            replaced = m.rest.remove(&id);
        }
        match m.last.replace(ctx) {
            Some(previous) if previous.id() == id => replaced = Some(previous),
            Some(previous) => {
                m.rest.insert(previous.id(), previous);
            }
            None => {}
        }
        replaced
    });
}

pub(crate) fn register_http_callback(call: u32, callback: HttpCallback) {
    let ctx = super::current_context();
    let _stale = HTTP_CALLS.with(|m| m.borrow_mut().insert(call, Pending { ctx, callback }));
}

pub(crate) fn register_redis_callback(call: u32, callback: RedisCallback) {
    let ctx = super::current_context();
    let _stale = REDIS_CALLS.with(|m| m.borrow_mut().insert(call, Pending { ctx, callback }));
}

pub(super) fn take_http_callback(call: u32) -> Option<Pending<HttpCallback>> {
    HTTP_CALLS.with(|m| m.borrow_mut().remove(call))
}

pub(super) fn take_redis_callback(call: u32) -> Option<Pending<RedisCallback>> {
    REDIS_CALLS.with(|m| m.borrow_mut().remove(call))
}

/// What a finished request leaves behind: its context and the callbacks
/// of its calls still in flight.
pub(super) type Leftovers = (
    Option<Box<HttpContext>>,
    Vec<Pending<HttpCallback>>,
    Vec<Pending<RedisCallback>>,
);

/// Takes out everything request `ctx` left behind, for the caller to drop
/// outside any borrow (the callbacks' captures may run `Drop` code that
/// calls back into the SDK).
pub(super) fn take_request(ctx: u32) -> Leftovers {
    let context = take_context(ctx);
    let http = HTTP_CALLS.with(|m| m.borrow_mut().of_request(ctx));
    let redis = REDIS_CALLS.with(|m| m.borrow_mut().of_request(ctx));
    (context, http, redis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Phase;

    fn ctx(id: u32, phase: Phase) -> Box<HttpContext> {
        let mut c = Box::new(HttpContext::new(id));
        c.phase = phase;
        c
    }

    fn phase_of(id: u32) -> Option<Phase> {
        take_context(id).map(|c| c.phase)
    }

    fn pending(ctx: u32, tag: &'static str) -> Pending<&'static str> {
        Pending { ctx, callback: tag }
    }

    #[test]
    fn calls_are_found_by_id_and_taken_by_request() {
        let mut calls = Calls(Vec::new());
        for (call, ctx, tag) in [(1, 10, "a"), (2, 11, "b"), (3, 10, "c"), (4, 0, "d")] {
            assert!(calls.insert(call, pending(ctx, tag)).is_none());
        }
        // A reused id replaces the stale entry and hands it back.
        let stale = calls.insert(2, pending(12, "b2")).expect("replaced");
        assert_eq!((stale.ctx, stale.callback), (11, "b"));
        assert_eq!(calls.remove(2).map(|p| p.callback), Some("b2"));
        assert!(calls.remove(2).is_none(), "taken once");
        let mut of_10: Vec<_> = calls
            .of_request(10)
            .into_iter()
            .map(|p| p.callback)
            .collect();
        of_10.sort_unstable();
        assert_eq!(of_10, ["a", "c"]);
        assert!(calls.of_request(10).is_empty());
        assert_eq!(calls.remove(4).map(|p| p.callback), Some("d"));
        assert!(calls.0.is_empty());
    }

    #[test]
    fn interleaved_requests_each_get_their_own_context() {
        for id in 10..20 {
            put_context(ctx(id, Phase::RequestHeaders));
        }
        for id in [15, 10, 19, 12] {
            let c = take_context(id).expect("kept");
            assert_eq!(c.id(), id);
            put_context(c);
        }
        for id in (10..20).rev() {
            assert_eq!(take_context(id).map(|c| c.id()), Some(id));
            assert!(take_context(id).is_none(), "taken once");
        }
        assert!(take_context(0).is_none());
    }

    #[test]
    fn a_put_replaces_what_a_nested_callback_put_for_the_same_request() {
        // Request 5's callback has its context out; a callback nested in
        // it (a resumed stream's) made a second one and put it back, and
        // request 7 came and went in between.
        put_context(ctx(7, Phase::RequestHeaders));
        put_context(ctx(5, Phase::ResponseBody));
        let seven = take_context(7).expect("7 kept");
        put_context(seven);
        // The outer callback puts its own back: it wins, and no second
        // context of request 5 is left to leak.
        put_context(ctx(5, Phase::RequestBody));
        assert_eq!(phase_of(5), Some(Phase::RequestBody));
        assert_eq!(phase_of(5), None);
        assert_eq!(phase_of(7), Some(Phase::RequestHeaders));
        // The same with nothing in between.
        put_context(ctx(6, Phase::ResponseBody));
        put_context(ctx(6, Phase::RequestBody));
        assert_eq!(phase_of(6), Some(Phase::RequestBody));
        assert_eq!(phase_of(6), None);
    }

    #[test]
    fn contexts_outside_a_request_are_not_kept() {
        put_context(ctx(0, Phase::None));
        assert!(take_context(0).is_none());
    }
}
