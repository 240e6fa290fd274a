//! Key-value data shared by every plugin instance (VM) of the gateway,
//! with compare-and-swap, and shared queues ([`SharedQueue`]).

use crate::Status;
use crate::host;

/// The value at `key` and its version (`cas`), if any.
pub fn get(key: &str) -> Option<(Vec<u8>, u32)> {
    host::get_shared_data(key)
}

/// Store `value` at `key` unconditionally.
pub fn set(key: &str, value: &[u8]) -> Result<(), Status> {
    host::set_shared_data(key, value, 0)
}

/// Store `value` at `key` only if its version is still `cas` (as returned
/// by [`get`]); [`Status::CasMismatch`] otherwise. `cas` 0 always writes.
pub fn set_with_cas(key: &str, value: &[u8], cas: u32) -> Result<(), Status> {
    host::set_shared_data(key, value, cas)
}

/// The property holding the id of this plugin's VM (Envoy's `vm_config.vm_id`).
pub const VM_ID_PROPERTY: &str = "plugin_vm_id";

/// A shared queue (proxy-wasm shared queues): byte items that any plugin
/// instance of the gateway can enqueue and the registering plugin
/// dequeues, woken by [`Plugin::on_queue_ready`](crate::Plugin::on_queue_ready).
///
/// Register the queue at plugin level ([`Plugin::on_plugin_start`](crate::Plugin::on_plugin_start));
/// producers find it with [`SharedQueue::resolve`] (or
/// [`SharedQueue::resolve_own`] within the same VM) and [`enqueue`](Self::enqueue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedQueue(u32);

impl SharedQueue {
    /// Create the queue `name` of this plugin's VM, or find it if it
    /// exists; from then on [`Plugin::on_queue_ready`](crate::Plugin::on_queue_ready)
    /// fires on this plugin when items are enqueued.
    pub fn register(name: &str) -> Result<Self, Status> {
        host::register_shared_queue(name).map(Self)
    }

    /// The queue `name` registered by the VM `vm_id`
    /// ([`Status::NotFound`] if there is none).
    pub fn resolve(vm_id: &str, name: &str) -> Result<Self, Status> {
        host::resolve_shared_queue(vm_id, name).map(Self)
    }

    /// The queue `name` registered by this plugin's own VM: [`resolve`](Self::resolve)
    /// with the VM id read from property [`VM_ID_PROPERTY`] (empty if the
    /// gateway does not serve it).
    pub fn resolve_own(name: &str) -> Result<Self, Status> {
        Self::resolve(&own_vm_id(), name)
    }

    /// The queue with host id `id` (as [`id`](Self::id) returned it).
    pub fn from_id(id: u32) -> Self {
        Self(id)
    }

    /// The host's id of the queue.
    pub fn id(self) -> u32 {
        self.0
    }

    /// Append `item` to the queue ([`Status::NotFound`] if the queue is
    /// unknown).
    pub fn enqueue(self, item: &[u8]) -> Result<(), Status> {
        host::enqueue_shared_queue(self.0, item)
    }

    /// Take the oldest item off the queue; `None` when it is empty.
    pub fn dequeue(self) -> Result<Option<Vec<u8>>, Status> {
        host::dequeue_shared_queue(self.0)
    }
}

/// This plugin's VM id (property [`VM_ID_PROPERTY`]; empty if absent).
pub fn own_vm_id() -> String {
    host::get_property(&[VM_ID_PROPERTY])
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default()
}
