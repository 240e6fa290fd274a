//! What a panic in plugin code costs.
//!
//! Plugins are built with `panic = "abort"`. Adapted for a gateway, the
//! abort does not kill the plugin instance: the adapter turns it into a
//! wasm exception that its glue catches around the callback (see
//! `gatewit_adapter::OnPanic`), answers that request (`500`, or lets it go
//! on), and the instance keeps serving, as Higress's Go wrapper does with
//! `recover()`. Nothing unwinds, so the SDK must not depend on code after
//! the panic running. This module is its side of the bargain:
//!
//! - the panic hook logs the message (critical, with the plugin prefix)
//!   and marks the request being served as failed;
//! - later callbacks of a failed request skip the plugin, its pending
//!   HTTP and Redis callbacks are dropped unrun, and the mark goes with the
//!   request's end.
//!
//! What the panicking callback had taken out of the SDK's tables (the
//! request's context, the call's closure) stays allocated: that, plus what
//! the plugin's own frames owned, is what a panic leaks.

use std::cell::{Cell, RefCell};

thread_local! {
    /// The requests that panicked and have not ended. A list: it is almost
    /// always empty, and a set's code would be compiled by the gateway at
    /// start-up for every plugin.
    static FAILED: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// Whether `FAILED` may hold anything: every callback asks, and a plain
    /// flag answers without the list's borrow.
    static ANY_FAILED: Cell<bool> = const { Cell::new(false) };
}

/// Installs the SDK's panic hook (once per instance).
pub(crate) fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(hook)));
}

fn hook(info: &std::panic::PanicHookInfo<'_>) {
    let ctx = crate::runtime::current_context();
    if ctx != 0 {
        // `try_`: the hook must not panic, whatever state it finds.
        FAILED.with(|f| {
            if let Ok(mut f) = f.try_borrow_mut()
                && !f.contains(&ctx)
            {
                f.push(ctx);
                ANY_FAILED.set(true);
            }
        });
    }
    // One line (std's own format breaks it before the message).
    let message = info.payload_as_str().unwrap_or("a non-string payload");
    match info.location() {
        Some(at) => crate::log::log(
            crate::log::Level::Critical,
            format_args!("panicked at {at}: {message}"),
        ),
        None => crate::log::log(
            crate::log::Level::Critical,
            format_args!("panicked: {message}"),
        ),
    }
}

/// Whether request `ctx` panicked in an earlier callback.
pub(crate) fn failed(ctx: u32) -> bool {
    ctx != 0 && ANY_FAILED.get() && FAILED.with(|f| f.try_borrow().is_ok_and(|f| f.contains(&ctx)))
}

/// Request `ctx` ended: forget its mark.
pub(crate) fn forget(ctx: u32) {
    if !ANY_FAILED.get() {
        return;
    }
    FAILED.with(|f| {
        if let Ok(mut f) = f.try_borrow_mut() {
            f.retain(|&id| id != ctx);
            ANY_FAILED.set(!f.is_empty());
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_are_per_request_and_end_with_it() {
        super::FAILED.with(|f| f.borrow_mut().push(7));
        super::ANY_FAILED.set(true);
        assert!(super::failed(7));
        assert!(!super::failed(8) && !super::failed(0));
        super::forget(7);
        assert!(!super::failed(7));
    }
}
