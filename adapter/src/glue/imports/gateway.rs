//! `gatewit:plugin/gateway`: what one gateway offers beyond the common ABI.
//!
//! `call-foreign-function` is `proxy_call_foreign_function`, which every
//! Envoy has (the set of functions differs). The other three are hostcalls
//! only Higress's fork defines: a module importing them does not load in
//! a stock Envoy, so under the `envoy` profile they are not imported and
//! answer `unimplemented`, as the Redis functions do.

use super::super::{Body, Cx, Helper, I, I32, S_COUNT, S_OUT0, S_OUT1, S_SCRATCH_MODE, Sig};
use super::ints;
use crate::Profile;
use gatewit_abi::proxy::status;

/// `result<T, status-error>` as the canonical ABI lays it out at `ret`:
/// the tag byte, then the payload at the case's largest alignment — 4 when
/// `T` is a list (its pointer and length), 1 for `result<_, status-error>`
/// (just the error's enum byte).
mod result {
    pub const TAG: u64 = 0;
    pub const OK: i32 = 0;
    pub const ERR: i32 = 1;
    /// The payload of `result<list<…>, status-error>`: the list's pointer,
    /// or the error.
    pub const LIST_PAYLOAD: u64 = 4;
    /// A list's length.
    pub const LIST_LEN: u64 = 8;
    /// The error of `result<_, status-error>`.
    pub const UNIT_PAYLOAD: u64 = 1;
}

/// `status-error`'s discriminant for `unimplemented`.
const UNIMPLEMENTED: i32 = status::UNIMPLEMENTED as i32 - 1;

/// The core signature of a hostcall this interface's glue calls (each
/// returns an `i32` status); `None` for another name.
pub(super) fn hostcall(hostcall: &str) -> Option<Sig> {
    Some(ints(match hostcall {
        // (name, name len, args, args len, *answer, *answer len)
        "proxy_call_foreign_function" => 6,
        // (data, len, end of stream)
        "proxy_inject_encoded_data_to_filter_chain" => 3,
        // (*pairs, *pairs len)
        "proxy_get_upstream_hosts" => 2,
        // (address, len)
        "proxy_set_upstream_override_host" => 2,
        _ => return None,
    }))
}

/// The glue of `gateway.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    let higress = cx.profile == Profile::Higress;
    match name {
        "call-foreign-function" => call_foreign_function(cx, b),
        // (data, len, end-of-stream, ret)
        "inject-encoded-data" if higress => {
            b.lg(0)
                .lg(1)
                .lg(2)
                .host("proxy_inject_encoded_data_to_filter_chain");
            b.lg(3).helper(Helper::StatusResult);
        }
        "inject-encoded-data" => unimplemented(b, 3, result::UNIT_PAYLOAD),
        "get-upstream-hosts" if higress => get_upstream_hosts(b),
        "get-upstream-hosts" => unimplemented(b, 0, result::LIST_PAYLOAD),
        // (address, len, ret)
        "set-upstream-override-host" if higress => {
            b.lg(0).lg(1).host("proxy_set_upstream_override_host");
            b.lg(2).helper(Helper::StatusResult);
        }
        "set-upstream-override-host" => unimplemented(b, 2, result::UNIT_PAYLOAD),
        _ => return None,
    }
    Some(())
}

/// `err(unimplemented)` at parameter `ret`, the error at `payload`.
fn unimplemented(b: &mut Body, ret: u32, payload: u64) {
    b.lg(ret).c(result::ERR).st8(result::TAG);
    b.lg(ret).c(UNIMPLEMENTED).st8(payload);
}

/// `err(status - 1)` at `ret` for a list result, the failed status in
/// local `st`.
fn list_status_error(b: &mut Body, ret: u32, st: u32) {
    b.lg(ret).c(result::ERR).st8(result::TAG);
    b.lg(ret).lg(st).c(1).i(I::I32Sub).st8(result::LIST_PAYLOAD);
}

/// (name, name-len, args, args-len, ret) -> `result<list<u8>, status-error>`.
fn call_foreign_function(cx: &Cx, b: &mut Body) {
    let (name, name_len, args, args_len, ret) = (0, 1, 2, 3, 4);
    let s = b.state();
    let (st, data, len) = (b.local(I32), b.local(I32), b.local(I32));
    // A function with nothing to return never asks for memory, so the
    // host leaves the out-params as they were: start them empty.
    b.store_at(s, S_OUT0, |b| {
        b.c(0);
    });
    b.store_at(s, S_OUT1, |b| {
        b.c(0);
    });
    // The answer lands in a fresh allocation (the scratch mode is off), so
    // it is the plugin's to own and free, as the canonical ABI hands lists.
    b.lg(name).lg(name_len).lg(args).lg(args_len);
    b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
    b.host("proxy_call_foreign_function").ls(st);
    b.lg(st).i(I::I32Eqz).if_();
    b.lg(s).ld(S_OUT0).ls(data).lg(s).ld(S_OUT1).ls(len);
    b.lg(ret).c(result::OK).st8(result::TAG);
    // An empty list's pointer must still be aligned and non-null.
    b.lg(ret).fix_ptr(cx, data, len, 1).st(result::LIST_PAYLOAD);
    b.lg(ret).lg(len).st(result::LIST_LEN);
    b.else_();
    list_status_error(b, ret, st);
    b.end();
}

/// (ret) -> `result<headers, status-error>`: Higress answers with a
/// serialized pair map, read like a header map.
fn get_upstream_hosts(b: &mut Body) {
    let ret = 0;
    let s = b.state();
    let st = b.local(I32);
    b.store_at(s, S_OUT1, |b| {
        b.c(0);
    });
    // The serialized map is read once and copied out pair by pair: it goes
    // to the scratch area, not to an allocation the plugin would leak.
    b.store_at(s, S_SCRATCH_MODE, |b| {
        b.c(1);
    });
    b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
    b.host("proxy_get_upstream_hosts").ls(st);
    b.store_at(s, S_SCRATCH_MODE, |b| {
        b.c(0);
    });
    b.lg(st).i(I::I32Eqz).if_();
    b.lg(ret).c(result::OK).st8(result::TAG);
    b.lg(ret)
        .lg(s)
        .ld(S_OUT0)
        .lg(s)
        .ld(S_OUT1)
        .helper(Helper::DeserializeMap)
        .st(result::LIST_PAYLOAD);
    b.lg(ret).lg(s).ld(S_COUNT).st(result::LIST_LEN);
    b.else_();
    list_status_error(b, ret, st);
    b.end();
}
