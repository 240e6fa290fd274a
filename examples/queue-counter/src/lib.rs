//! `queue-counter`: counts requests through a shared queue.
//!
//! At start it registers the shared queue `hits`. Every request enqueues
//! its path and continues; `on_queue_ready` dequeues every waiting item and
//! adds their number to shared data `hits-total` (a compare-and-swap loop,
//! as every worker's plugin writes it). Every response gets header
//! `x-hits-total` with the value read at response time.

use std::cell::Cell;

use gatewit_sdk::shared_data::{self, SharedQueue};
use gatewit_sdk::{
    HeaderAction, HttpContext, NoConfig, Plugin, PluginContext, Status, log_error, log_warn,
};

/// The queue's name.
pub const QUEUE: &str = "hits";
/// The shared data key of the running total.
pub const TOTAL_KEY: &str = "hits-total";
/// Compare-and-swap attempts before giving up on one batch.
const MAX_CAS_ATTEMPTS: usize = 16;

thread_local! {
    static QUEUE_ID: Cell<Option<SharedQueue>> = const { Cell::new(None) };
}

/// The plugin: no configuration.
pub struct QueueCounter;

/// The running total in shared data (0 when unset or unreadable) and its
/// version.
fn total() -> (u64, u32) {
    match shared_data::get(TOTAL_KEY) {
        Some((value, cas)) => {
            let n = std::str::from_utf8(&value)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            (n, cas)
        }
        None => (0, 0),
    }
}

/// Adds `n` to the total, retrying when another writer got in first.
fn add_to_total(n: u64) -> Result<u64, Status> {
    let mut last = Status::CasMismatch;
    for _ in 0..MAX_CAS_ATTEMPTS {
        let (current, cas) = total();
        let next = current + n;
        // A missing key has version 0, which writes unconditionally: the
        // first writer may race, later ones compare.
        match shared_data::set_with_cas(TOTAL_KEY, next.to_string().as_bytes(), cas) {
            Ok(()) => return Ok(next),
            Err(Status::CasMismatch) => last = Status::CasMismatch,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

#[gatewit_sdk::plugin]
impl Plugin for QueueCounter {
    type Config = NoConfig;

    fn on_plugin_start(_ctx: &mut PluginContext<'_, NoConfig>) -> Result<(), String> {
        let queue = SharedQueue::register(QUEUE)
            .map_err(|e| format!("cannot register shared queue `{QUEUE}`: {e}"))?;
        // Another VM (plugin) finds the queue by this VM's id and its name:
        // check that path answers with the same queue.
        let found = SharedQueue::resolve_own(QUEUE)
            .map_err(|e| format!("cannot resolve shared queue `{QUEUE}`: {e}"))?;
        if found.id() != queue.id() {
            return Err(format!(
                "shared queue `{QUEUE}` resolves to {} but was registered as {}",
                found.id(),
                queue.id()
            ));
        }
        QUEUE_ID.set(Some(queue));
        Ok(())
    }

    fn on_request_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        // Registered in this VM at start; another VM would resolve it with
        // `SharedQueue::resolve(vm_id, QUEUE)`.
        let queue = match QUEUE_ID.get() {
            Some(q) => Ok(q),
            None => SharedQueue::resolve_own(QUEUE),
        };
        match queue.and_then(|q| q.enqueue(ctx.path().as_bytes())) {
            Ok(()) => {}
            Err(e) => log_warn!("cannot enqueue the hit: {e}"),
        }
        HeaderAction::Continue
    }

    fn on_queue_ready(queue: SharedQueue) {
        let mut hits = 0;
        while let Ok(Some(_path)) = queue.dequeue() {
            hits += 1;
        }
        if hits == 0 {
            return;
        }
        if let Err(e) = add_to_total(hits) {
            log_error!("cannot add {hits} hit(s) to `{TOTAL_KEY}`: {e}");
        }
    }

    fn on_response_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        let (n, _) = total();
        if let Err(e) = ctx.replace_response_header("x-hits-total", &n.to_string()) {
            log_error!("cannot set x-hits-total: {e}");
        }
        HeaderAction::Continue
    }
}
