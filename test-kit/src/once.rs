//! A process-wide map of values computed once per key: the tiers' caches of
//! compiled components and modules, and the tests' adapted modules. Threads
//! asking for the same key at once wait for its one computation; threads
//! asking for other keys go on, so a small plugin never waits behind a
//! 12 MB one. A failed computation is kept too: asking again gives the same
//! error instead of redoing the work.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::anyhow;

type Slot<V> = Arc<OnceLock<Result<V, String>>>;

/// Values of type `V` by key `K`, each computed once (see the module docs).
pub struct OnceMap<K, V> {
    /// What the map holds, for the error a poisoned lock gives.
    what: &'static str,
    /// Distinct keys kept at most; past it the map starts over (fuzzing and
    /// generated-module tests compute thousands, each used once).
    cap: usize,
    slots: Mutex<Option<HashMap<K, Slot<V>>>>,
}

impl<K: Eq + Hash, V: Clone> OnceMap<K, V> {
    /// An empty map of `what`, keeping at most `cap` keys.
    pub const fn new(what: &'static str, cap: usize) -> Self {
        OnceMap {
            what,
            cap,
            slots: Mutex::new(None),
        }
    }

    /// The value for `key`, computed by `compute` if no thread has yet.
    pub fn get_or_init(
        &self,
        key: K,
        compute: impl FnOnce() -> Result<V, String>,
    ) -> anyhow::Result<V> {
        let slot = {
            let mut slots = self
                .slots
                .lock()
                .map_err(|_| anyhow!("the {} cache is poisoned", self.what))?;
            let slots = slots.get_or_insert_with(HashMap::new);
            if slots.len() >= self.cap && !slots.contains_key(&key) {
                slots.clear();
            }
            Arc::clone(slots.entry(key).or_default())
        };
        slot.get_or_init(compute)
            .clone()
            .map_err(|e| anyhow!("{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::OnceMap;

    #[test]
    fn each_key_is_computed_once_and_errors_are_kept() {
        static MAP: OnceMap<u32, u32> = OnceMap::new("test", 2);
        let mut calls = 0;
        assert_eq!(
            MAP.get_or_init(1, || {
                calls += 1;
                Ok(10)
            })
            .unwrap(),
            10
        );
        assert_eq!(
            MAP.get_or_init(1, || {
                calls += 1;
                Ok(11)
            })
            .unwrap(),
            10
        );
        assert_eq!(calls, 1);
        let err = MAP.get_or_init(2, || Err("no".into())).unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert!(MAP.get_or_init(2, || Ok(2)).is_err());
        // A third key past the cap starts the map over.
        assert_eq!(MAP.get_or_init(3, || Ok(3)).unwrap(), 3);
        assert_eq!(MAP.get_or_init(1, || Ok(12)).unwrap(), 12);
    }
}
