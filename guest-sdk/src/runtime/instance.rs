//! What the instance knows about itself and the callback that is running:
//! the plugin's name, hooks and id, the current request and its request
//! id. A leaf: logging and panic handling read it without reaching into
//! the dispatcher.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::plugin::hooks;

thread_local! {
    static CURRENT: Cell<u32> = const { Cell::new(0) };
    static PLUGIN_NAME: Cell<&'static str> = const { Cell::new("") };
    static HOOKS: Cell<u32> = const { Cell::new(0) };
    static PLUGIN_ID: RefCell<Rc<str>> = RefCell::new(Rc::from(""));
    static REQUEST_ID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The request whose callback is running (0: none).
pub(crate) fn current_context() -> u32 {
    CURRENT.get()
}

/// Every callback starts here (its request, or 0), which is also where
/// the log level it asks the host for is forgotten.
pub(super) fn set_current(id: u32) {
    CURRENT.set(id);
    crate::log::forget_host_level();
}

/// The `x-request-id` of the request whose callback is running (a copy,
/// for a log line).
pub(crate) fn request_id() -> Option<String> {
    REQUEST_ID.with(|r| r.try_borrow().ok().and_then(|r| r.clone()))
}

/// Puts `id` in the running callback's hands for its log lines and returns
/// what was there. A callback swaps its request's `x-request-id` in when it
/// starts and swaps the returned value back when it ends: moved, not
/// copied, and a callback nested in another (a resumed stream's) hands the
/// outer one its id back.
pub(super) fn swap_request_id(id: Option<String>) -> Option<String> {
    REQUEST_ID.with(|r| match r.try_borrow_mut() {
        Ok(mut r) => std::mem::replace(&mut *r, id),
        Err(_) => id,
    })
}

pub(crate) fn plugin_name() -> &'static str {
    PLUGIN_NAME.get()
}

/// Records who this instance is: the plugin's name and hook bits.
pub(super) fn set_plugin(name: &'static str, hook_bits: u32) {
    PLUGIN_NAME.set(name);
    HOOKS.set(hook_bits);
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

pub(super) fn set_plugin_id(id: Rc<str>) {
    PLUGIN_ID.with(|p| *p.borrow_mut() = id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_callback_hands_the_request_id_back() {
        let outer = swap_request_id(Some("outer".into()));
        assert_eq!(outer, None);
        assert_eq!(request_id().as_deref(), Some("outer"));
        // A callback nested in the outer one, for a request with no id yet.
        let saved = swap_request_id(None);
        assert_eq!(request_id(), None);
        let nested_own = swap_request_id(saved);
        assert_eq!(nested_own, None);
        assert_eq!(request_id().as_deref(), Some("outer"));
        // The outer callback ends and takes its id back.
        assert_eq!(swap_request_id(outer).as_deref(), Some("outer"));
        assert_eq!(request_id(), None);
    }
}
