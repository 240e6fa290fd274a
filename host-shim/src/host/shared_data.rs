//! `gatewit:plugin/shared-data`: key-value data with compare-and-swap, and
//! shared queues.

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::StatusError;
use crate::bindings::gatewit::plugin::shared_data::{self, Host, SharedValue};
use crate::state::{HostState, SharedQueue};

/// Adds `gatewit:plugin/shared-data` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    shared_data::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

impl Host for HostState {
    fn get_shared_data(&mut self, key: String) -> Option<SharedValue> {
        self.p
            .shared_data
            .get(&key)
            .map(|(value, cas)| SharedValue {
                value: value.clone(),
                cas: *cas,
            })
    }

    fn set_shared_data(
        &mut self,
        key: String,
        value: Vec<u8>,
        cas: u32,
    ) -> Result<(), StatusError> {
        let entry = self
            .p
            .shared_data
            .entry(key)
            .or_insert_with(|| (Vec::new(), 0));
        if cas != 0 && entry.1 != cas {
            return Err(StatusError::CasMismatch);
        }
        // Versions start at 1 so that 0 keeps meaning "no compare-and-swap".
        entry.0 = value;
        entry.1 = entry.1.wrapping_add(1).max(1);
        Ok(())
    }

    fn register_shared_queue(&mut self, name: String) -> Result<u32, StatusError> {
        // Idempotent per name: the shim runs one plugin in one VM, so every
        // queue is this plugin's.
        if let Some((id, _)) = self.p.queues.iter().find(|(_, q)| q.name == name) {
            return Ok(*id);
        }
        let id = self.p.queues.keys().next_back().map_or(1, |last| last + 1);
        self.p.queues.insert(
            id,
            SharedQueue {
                name,
                ..SharedQueue::default()
            },
        );
        Ok(id)
    }

    fn resolve_shared_queue(&mut self, vm_id: String, name: String) -> Result<u32, StatusError> {
        if vm_id != self.vm_id() {
            return Err(StatusError::NotFound);
        }
        self.p
            .queues
            .iter()
            .find(|(_, q)| q.name == name)
            .map(|(id, _)| *id)
            .ok_or(StatusError::NotFound)
    }

    fn enqueue_shared_queue(&mut self, queue: u32, item: Vec<u8>) -> Result<(), StatusError> {
        let q = self.p.queues.get_mut(&queue).ok_or(StatusError::NotFound)?;
        q.items.push_back(item);
        // The harness calls `on-queue-ready` once the callback returns, once
        // per enqueue as Envoy does.
        self.ready_queues.push_back(queue);
        Ok(())
    }

    fn dequeue_shared_queue(&mut self, queue: u32) -> Result<Option<Vec<u8>>, StatusError> {
        let q = self.p.queues.get_mut(&queue).ok_or(StatusError::NotFound)?;
        Ok(q.items.pop_front())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{DEFAULT_VM_ID, Persistent};

    fn state() -> HostState {
        HostState::new(
            wasmtime::StoreLimitsBuilder::new().build(),
            Persistent::default(),
        )
    }

    #[test]
    fn queues_register_resolve_enqueue_dequeue() {
        let mut s = state();
        assert_eq!(s.register_shared_queue("a".into()), Ok(1));
        assert_eq!(s.register_shared_queue("b".into()), Ok(2));
        assert_eq!(s.register_shared_queue("a".into()), Ok(1), "idempotent");
        assert_eq!(
            s.resolve_shared_queue(DEFAULT_VM_ID.into(), "b".into()),
            Ok(2)
        );
        assert_eq!(
            s.resolve_shared_queue("other".into(), "b".into()),
            Err(StatusError::NotFound)
        );
        assert_eq!(
            s.resolve_shared_queue(DEFAULT_VM_ID.into(), "c".into()),
            Err(StatusError::NotFound)
        );
        assert_eq!(s.dequeue_shared_queue(1), Ok(None));
        assert_eq!(
            s.enqueue_shared_queue(9, b"x".to_vec()),
            Err(StatusError::NotFound)
        );
        assert_eq!(s.dequeue_shared_queue(9), Err(StatusError::NotFound));
        assert!(s.ready_queues.is_empty());
        assert_eq!(s.enqueue_shared_queue(1, b"x".to_vec()), Ok(()));
        assert_eq!(s.enqueue_shared_queue(1, b"y".to_vec()), Ok(()));
        assert_eq!(s.ready_queues.iter().copied().collect::<Vec<_>>(), [1, 1]);
        assert_eq!(s.dequeue_shared_queue(1), Ok(Some(b"x".to_vec())));
        assert_eq!(s.dequeue_shared_queue(1), Ok(Some(b"y".to_vec())));
        assert_eq!(s.dequeue_shared_queue(1), Ok(None));
    }

    #[test]
    fn the_vm_id_follows_property_plugin_vm_id() {
        let mut s = state();
        s.p.properties
            .insert("plugin_vm_id".into(), b"edge".to_vec());
        assert_eq!(s.register_shared_queue("q".into()), Ok(1));
        assert_eq!(s.resolve_shared_queue("edge".into(), "q".into()), Ok(1));
        assert_eq!(
            s.resolve_shared_queue(DEFAULT_VM_ID.into(), "q".into()),
            Err(StatusError::NotFound)
        );
    }
}
