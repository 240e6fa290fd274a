//! Shared data and shared queues, with cpp-host's semantics: a CAS of 0
//! writes unconditionally, a missing key accepts any CAS, every write takes
//! a fresh CAS; queues are keyed by (VM id, name).

use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, read, read_string, return_bytes, write_u32};
use crate::abi::status;
use crate::state::{HostState, SharedQueue};

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &[
    "proxy_get_shared_data",
    "proxy_set_shared_data",
    "proxy_register_shared_queue",
    "proxy_resolve_shared_queue",
    "proxy_enqueue_shared_queue",
    "proxy_dequeue_shared_queue",
];

/// Adds the hostcalls of [`NAMES`].
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_get_shared_data",
        |mut c: Caller<'_, HostState>,
         key_ptr: u32,
         key_len: u32,
         ptr_out: u32,
         size_out: u32,
         cas_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_shared_data")?;
                let key = read_string(&c, key_ptr, key_len)?;
                let (value, cas) = c
                    .data()
                    .shared
                    .get(&key)
                    .cloned()
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                return_bytes(&mut c, &value, ptr_out, size_out)?;
                write_u32(&mut c, cas_out, cas)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_shared_data",
        |mut c: Caller<'_, HostState>,
         key_ptr: u32,
         key_len: u32,
         value_ptr: u32,
         value_len: u32,
         cas: u32| {
            done((|| {
                guard(&mut c, "proxy_set_shared_data")?;
                let key = read_string(&c, key_ptr, key_len)?;
                let value = read(&c, value_ptr, value_len)?;
                let state = c.data_mut();
                if let Some((_, current)) = state.shared.get(&key)
                    && cas != 0
                    && cas != *current
                {
                    return Err(Fail::Status(status::CAS_MISMATCH));
                }
                state.next_cas = state.next_cas.wrapping_add(1).max(1);
                let next = state.next_cas;
                state.shared.insert(key, (value, next));
                Ok(status::OK)
            })())
        },
    )?;
    add_queues(linker)
}

/// Shared queues (cpp-host semantics): keyed by (VM id, name), ids from 1,
/// registering an existing name returns its id.
fn add_queues(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_register_shared_queue",
        |mut c: Caller<'_, HostState>, name_ptr: u32, name_len: u32, id_out: u32| {
            done((|| {
                guard(&mut c, "proxy_register_shared_queue")?;
                let name = read_string(&c, name_ptr, name_len)?;
                let queues = &mut c.data_mut().queues;
                let index = match queues
                    .iter()
                    .position(|q| q.vm_id == crate::VM_ID && q.name == name)
                {
                    Some(index) => index,
                    None => {
                        queues.push(SharedQueue {
                            vm_id: crate::VM_ID.into(),
                            name,
                            items: Default::default(),
                        });
                        queues.len() - 1
                    }
                };
                write_u32(&mut c, id_out, index as u32 + 1)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_resolve_shared_queue",
        |mut c: Caller<'_, HostState>,
         vm_ptr: u32,
         vm_len: u32,
         name_ptr: u32,
         name_len: u32,
         id_out: u32| {
            done((|| {
                guard(&mut c, "proxy_resolve_shared_queue")?;
                let vm_id = read_string(&c, vm_ptr, vm_len)?;
                let name = read_string(&c, name_ptr, name_len)?;
                let index = c
                    .data()
                    .queues
                    .iter()
                    .position(|q| q.vm_id == vm_id && q.name == name)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                write_u32(&mut c, id_out, index as u32 + 1)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_enqueue_shared_queue",
        |mut c: Caller<'_, HostState>, id: u32, ptr: u32, len: u32| {
            done((|| {
                guard(&mut c, "proxy_enqueue_shared_queue")?;
                let item = read(&c, ptr, len)?;
                enqueue(c.data_mut(), id, item).map_err(Fail::Status)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_dequeue_shared_queue",
        |mut c: Caller<'_, HostState>, id: u32, ptr_out: u32, size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_dequeue_shared_queue")?;
                let queue = queue(c.data_mut(), id).ok_or(Fail::Status(status::NOT_FOUND))?;
                let item = queue.items.pop_front().ok_or(Fail::Status(status::EMPTY))?;
                return_bytes(&mut c, &item, ptr_out, size_out)
            })())
        },
    )?;
    Ok(())
}

/// The queue with id `id` (ids are indices + 1), if any.
fn queue(state: &mut HostState, id: u32) -> Option<&mut SharedQueue> {
    let index = (id as usize).checked_sub(1)?;
    state.queues.get_mut(index)
}

/// Enqueues `item` into queue `id` as Envoy does: `NotFound` for an unknown
/// id; otherwise the item is appended and, when a queue of this VM got it,
/// `proxy_on_queue_ready` is posted (one call per enqueue, delivered after
/// the running callback returns).
pub(crate) fn enqueue(state: &mut HostState, id: u32, item: Vec<u8>) -> Result<(), u32> {
    let queue = queue(state, id).ok_or(status::NOT_FOUND)?;
    queue.items.push_back(item);
    if queue.vm_id == crate::VM_ID {
        state.queue_ready.push_back(id);
    }
    Ok(())
}
