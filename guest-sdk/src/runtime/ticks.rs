//! Tick functions (Higress `RegisterTickFunc`) on the host's one timer.

use std::cell::RefCell;
use std::rc::Rc;

use crate::host;

struct Tick {
    period_ms: u64,
    next_due_ms: u64,
    f: TickFn,
}

/// A tick function, reachable while it runs without a borrow of the tick
/// list: a panicking tick must not take the list (or itself) with it.
type TickFn = Rc<std::cell::UnsafeCell<Box<dyn FnMut()>>>;

#[derive(Default)]
pub(super) struct Ticks {
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

impl Ticks {
    /// Whether any tick function is in the list.
    pub(super) fn any(&self) -> bool {
        !self.entries.is_empty()
    }
}

thread_local! {
    static TICKS: RefCell<Ticks> = RefCell::new(Ticks::default());
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
pub(super) fn take() -> Ticks {
    TICKS.with(|t| std::mem::take(&mut *t.borrow_mut()))
}

/// Put back the tick list of the configuration that stays in force.
pub(super) fn restore(old: Ticks) {
    let timer = (!old.entries.is_empty()).then_some(old.timer_ms);
    TICKS.with(|t| *t.borrow_mut() = old);
    if let Some(timer) = timer {
        set_timer(timer);
    }
}

pub(super) fn run() {
    super::instance::set_current(0);
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

/// Whether any tick function is registered.
pub(super) fn any() -> bool {
    TICKS.with(|t| !t.borrow().entries.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_gcd() {
        assert_eq!(gcd(0, 1000), 1000);
        assert_eq!(gcd(1000, 1500), 500);
    }
}
