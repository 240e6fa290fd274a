//! Go's `DoLeaderElection` / `IsLeader`: of all the plugin's instances
//! (one VM per Envoy worker), one at a time is the leader — the one that
//! should run once-per-gateway work (a periodic sync, a report). The leader
//! holds a lease in shared data and renews it; a lease not renewed for 60 s
//! can be taken over. Key and lease format are Go's
//! (`higress_wasm_vm_lease:` — Go's fingerprint suffix is never set — and
//! `{"vmID": …, "timestamp": <unix s>}`), so Go and Rust instances of a
//! plugin elect among themselves.

use std::cell::{Cell, OnceCell};
use std::hash::{BuildHasher, Hasher};

use serde::{Deserialize, Serialize};

use crate::shared_data;

/// The shared-data key of the lease.
pub const LEASE_KEY: &str = "higress_wasm_vm_lease:";
/// How long a lease lasts without renewal, in seconds.
pub const LEASE_SECONDS: u64 = 60;

#[derive(Serialize, Deserialize)]
struct Lease {
    #[serde(rename = "vmID")]
    vm_id: String,
    timestamp: i64,
}

thread_local! {
    static VM_ID: OnceCell<String> = const { OnceCell::new() };
    static LEADER: Cell<bool> = const { Cell::new(false) };
}

/// This instance's id in the lease: random, fixed for the VM's life (Go
/// uses a UUID).
pub fn vm_id() -> String {
    VM_ID.with(|id| {
        id.get_or_init(|| {
            // `RandomState` seeds from the host's randomness.
            let random = || {
                std::collections::hash_map::RandomState::new()
                    .build_hasher()
                    .finish()
            };
            format!("{:016x}{:016x}", random(), random())
        })
        .clone()
    })
}

/// Tries to take or renew the lease (call it periodically, e.g. from a
/// tick); whether this instance is now the leader. A failure to read or
/// write shared data (another instance won the race) means not leader.
pub fn elect() -> bool {
    let now = crate::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let me = vm_id();
    let (current, cas) = match shared_data::get(LEASE_KEY) {
        Some((value, cas)) => (Some(value), cas),
        None => (None, 0),
    };
    let leader = match decide(current.as_deref(), &me, now) {
        Ok(Some(lease)) => match shared_data::set_with_cas(LEASE_KEY, &lease, cas) {
            Ok(()) => true,
            Err(e) => {
                crate::log_debug!("leader lease not taken: {e}");
                false
            }
        },
        Ok(None) => false,
        Err(why) => {
            crate::log_error!("cannot read the leader lease: {why}");
            false
        }
    };
    LEADER.set(leader);
    leader
}

/// Whether the last [`elect`] made this instance the leader.
pub fn is_leader() -> bool {
    LEADER.get()
}

/// The lease to write, if this instance may take or renew it: no lease, an
/// empty one, its own, or one older than [`LEASE_SECONDS`].
fn decide(current: Option<&[u8]>, me: &str, now: i64) -> Result<Option<Vec<u8>>, String> {
    let ours = || {
        serde_json::to_vec(&Lease {
            vm_id: me.to_string(),
            timestamp: now,
        })
        .map_err(|e| e.to_string())
    };
    let Some(current) = current.filter(|c| !c.is_empty()) else {
        return ours().map(Some);
    };
    let lease: Lease = serde_json::from_slice(current).map_err(|e| e.to_string())?;
    if lease.vm_id == me || now - lease.timestamp > LEASE_SECONDS as i64 {
        ours().map(Some)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_taken_when_free_own_or_expired() {
        let theirs = br#"{"vmID":"other","timestamp":1000}"#;
        assert!(decide(None, "me", 1000).unwrap().is_some());
        assert!(decide(Some(b""), "me", 1000).unwrap().is_some());
        assert!(
            decide(Some(theirs), "me", 1060).unwrap().is_none(),
            "60 s: still theirs"
        );
        let taken = decide(Some(theirs), "me", 1061).unwrap().unwrap();
        assert_eq!(taken, br#"{"vmID":"me","timestamp":1061}"#);
        let mine = br#"{"vmID":"me","timestamp":1000}"#;
        assert!(decide(Some(mine), "me", 1001).unwrap().is_some(), "renewed");
        assert!(decide(Some(b"not json"), "me", 1).is_err());
    }
}
