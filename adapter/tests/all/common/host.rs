//! A tiny proxy-wasm host on wasmtime's core API: `env.proxy_*` stubs that
//! record what the plugin did, enough to drive the `proxy_on_*` callbacks.

use anyhow::Result;
use std::collections::HashMap;
use wasmtime::{Caller, Engine, Instance, Linker, Module, Store, TypedFunc};

/// A recorded `proxy_http_call`: cluster, headers, timeout.
pub type HttpCall = (String, Vec<(String, String)>, u32);

#[derive(Default)]
pub struct Host {
    pub maps: HashMap<i32, Vec<(String, String)>>,
    pub buffers: HashMap<i32, Vec<u8>>,
    pub added: Vec<(i32, String, String)>,
    pub logs: Vec<(i32, String)>,
    pub calls: Vec<HttpCall>,
    pub redis_init: Vec<(String, String, u32)>,
    pub redis_calls: Vec<(String, Vec<u8>)>,
    pub effective: Vec<i32>,
    pub tick: Option<i32>,
    pub next_token: i32,
    pub now: u64,
    /// Other hostcalls, as `name(args)` with strings decoded.
    pub hostcalls: Vec<String>,
    /// `wasi_snapshot_preview1.fd_write` output, per fd.
    pub fd_out: HashMap<i32, Vec<u8>>,
    /// Shared queues: (vm id, name, items); the id is the index + 1. This
    /// host's VM is `gatewit`.
    pub queues: Vec<(String, String, std::collections::VecDeque<Vec<u8>>)>,
    /// Queues of this VM enqueued into since the test last took them (where
    /// Envoy would post `proxy_on_queue_ready`).
    pub ready: Vec<i32>,
    /// Serialized pairs served for a map instead of `maps` (bytes a
    /// `String` cannot hold, as Envoy may pass).
    pub raw_pairs: HashMap<i32, Vec<u8>>,
}

/// proxy-wasm statuses, as the hostcalls return them.
const OK: i32 = gatewit_abi::proxy::status::OK as i32;
const NOT_FOUND: i32 = gatewit_abi::proxy::status::NOT_FOUND as i32;

/// The VM id of the test host (queues it registers belong to it).
pub const VM_ID: &str = "gatewit";

fn mem(caller: &mut Caller<'_, Host>) -> wasmtime::Memory {
    caller.get_export("memory").unwrap().into_memory().unwrap()
}
fn read(caller: &mut Caller<'_, Host>, p: i32, l: i32) -> Vec<u8> {
    let m = mem(caller);
    m.data(&caller)[p as usize..(p + l) as usize].to_vec()
}
fn read_str(caller: &mut Caller<'_, Host>, p: i32, l: i32) -> String {
    String::from_utf8(read(caller, p, l)).unwrap()
}
fn put_u32(caller: &mut Caller<'_, Host>, at: i32, v: u32) {
    let m = mem(caller);
    m.write(caller, at as usize, &v.to_le_bytes()).unwrap();
}
/// What a proxy-wasm host does to return data: `malloc` in the guest, copy,
/// write `(ptr, len)` to the out-params.
fn give(caller: &mut Caller<'_, Host>, data: &[u8], rp: i32, rl: i32) {
    let malloc = caller.get_export("malloc").unwrap().into_func().unwrap();
    let malloc = malloc.typed::<i32, i32>(&caller).unwrap();
    let p = if data.is_empty() {
        OK
    } else {
        malloc.call(&mut *caller, data.len() as i32).unwrap()
    };
    let m = mem(caller);
    m.write(&mut *caller, p as usize, data).unwrap();
    put_u32(caller, rp, p as u32);
    put_u32(caller, rl, data.len() as u32);
}
/// A serialized pair map's pairs as strings (the glue under test writes
/// only UTF-8 here).
fn deserialize(b: &[u8]) -> Vec<(String, String)> {
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    gatewit_abi::pairs::deserialize(b)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (text(k), text(v)))
        .collect()
}

pub fn instantiate(module: &[u8]) -> Result<(Store<Host>, Instance)> {
    let engine = Engine::default();
    let module = Module::new(&engine, module)?;
    let mut linker = Linker::<Host>::new(&engine);
    linker.func_wrap(
        "env",
        "proxy_log",
        |mut c: Caller<'_, Host>, level: i32, p: i32, l: i32| {
            let s = read_str(&mut c, p, l);
            c.data_mut().logs.push((level, s));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_value",
        |mut c: Caller<'_, Host>, map: i32, kp: i32, kl: i32, rp: i32, rl: i32| {
            let k = read_str(&mut c, kp, kl);
            let v = c
                .data()
                .maps
                .get(&map)
                .and_then(|m| m.iter().find(|(n, _)| *n == k))
                .map(|(_, v)| v.clone());
            match v {
                Some(v) => {
                    give(&mut c, v.as_bytes(), rp, rl);
                    OK
                }
                None => NOT_FOUND,
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_add_header_map_value",
        |mut c: Caller<'_, Host>, map: i32, kp: i32, kl: i32, vp: i32, vl: i32| {
            let (k, v) = (read_str(&mut c, kp, kl), read_str(&mut c, vp, vl));
            c.data_mut().added.push((map, k, v));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_pairs",
        |mut c: Caller<'_, Host>, map: i32, rp: i32, rl: i32| {
            let data = match c.data().raw_pairs.get(&map) {
                Some(raw) => raw.clone(),
                None => gatewit_abi::pairs::serialize(
                    c.data().maps.get(&map).map(|v| v.as_slice()).unwrap_or(&[]),
                ),
            };
            give(&mut c, &data, rp, rl);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_buffer_bytes",
        |mut c: Caller<'_, Host>, ty: i32, start: i32, max: i32, rp: i32, rl: i32| {
            let Some(b) = c.data().buffers.get(&ty).cloned() else {
                return 1;
            };
            let start = (start as usize).min(b.len());
            let end = (start + max as usize).min(b.len());
            give(&mut c, &b[start..end], rp, rl);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_http_call",
        |mut c: Caller<'_, Host>,
         up: i32,
         ul: i32,
         hp: i32,
         hl: i32,
         _bp: i32,
         _bl: i32,
         _tp: i32,
         _tl: i32,
         timeout: i32,
         tok: i32| {
            let cluster = read_str(&mut c, up, ul);
            let headers = deserialize(&read(&mut c, hp, hl));
            c.data_mut().calls.push((cluster, headers, timeout as u32));
            c.data_mut().next_token += 1;
            let t = c.data().next_token as u32;
            put_u32(&mut c, tok, t);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_redis_init",
        |mut c: Caller<'_, Host>,
         up: i32,
         ul: i32,
         userp: i32,
         userl: i32,
         _pp: i32,
         _pl: i32,
         timeout: i32| {
            let (u, user) = (read_str(&mut c, up, ul), read_str(&mut c, userp, userl));
            c.data_mut().redis_init.push((u, user, timeout as u32));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_redis_call",
        |mut c: Caller<'_, Host>, up: i32, ul: i32, qp: i32, ql: i32, tok: i32| {
            let (u, q) = (read_str(&mut c, up, ul), read(&mut c, qp, ql));
            c.data_mut().redis_calls.push((u, q));
            c.data_mut().next_token += 1;
            let t = c.data().next_token as u32;
            put_u32(&mut c, tok, t);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_effective_context",
        |mut c: Caller<'_, Host>, ctx: i32| {
            c.data_mut().effective.push(ctx);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_tick_period_milliseconds",
        |mut c: Caller<'_, Host>, ms: i32| {
            c.data_mut().tick = Some(ms);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_current_time_nanoseconds",
        |mut c: Caller<'_, Host>, p: i32| {
            let now = c.data().now;
            let m = mem(&mut c);
            m.write(&mut c, p as usize, &now.to_le_bytes()).unwrap();
            OK
        },
    )?;
    linker.func_wrap(
        "wasi_snapshot_preview1",
        "random_get",
        |mut c: Caller<'_, Host>, p: i32, l: i32| {
            let m = mem(&mut c);
            m.data_mut(&mut c)[p as usize..(p + l) as usize].fill(7);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_header_map_pairs",
        |mut c: Caller<'_, Host>, map: i32, p: i32, l: i32| {
            let m = deserialize(&read(&mut c, p, l));
            c.data_mut()
                .hostcalls
                .push(format!("set_header_map_pairs({map}, {m:?})"));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_send_local_response",
        |mut c: Caller<'_, Host>,
         status: i32,
         dp: i32,
         dl: i32,
         bp: i32,
         bl: i32,
         hp: i32,
         hl: i32,
         grpc: i32| {
            let (d, b) = (read_str(&mut c, dp, dl), read_str(&mut c, bp, bl));
            let h = deserialize(&read(&mut c, hp, hl));
            c.data_mut().hostcalls.push(format!(
                "send_local_response({status}, {d:?}, {b:?}, {h:?}, {grpc})"
            ));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_property",
        |mut c: Caller<'_, Host>, pp: i32, pl: i32, rp: i32, rl: i32| {
            let path = read(&mut c, pp, pl);
            c.data_mut().hostcalls.push(format!(
                "get_property({:?})",
                String::from_utf8_lossy(&path)
            ));
            if path == b"request\0path" {
                give(&mut c, b"/index", rp, rl);
                OK
            } else {
                NOT_FOUND
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_property",
        |mut c: Caller<'_, Host>, pp: i32, pl: i32, vp: i32, vl: i32| {
            let (p, v) = (read_str(&mut c, pp, pl), read_str(&mut c, vp, vl));
            c.data_mut()
                .hostcalls
                .push(format!("set_property({p:?}, {v:?})"));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_buffer_bytes",
        |mut c: Caller<'_, Host>, ty: i32, start: i32, size: i32, p: i32, l: i32| {
            let v = read_str(&mut c, p, l);
            c.data_mut()
                .hostcalls
                .push(format!("set_buffer_bytes({ty}, {start}, {size}, {v:?})"));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_shared_data",
        |mut c: Caller<'_, Host>, kp: i32, kl: i32, rp: i32, rl: i32, cas: i32| {
            let k = read_str(&mut c, kp, kl);
            c.data_mut()
                .hostcalls
                .push(format!("get_shared_data({k:?})"));
            give(&mut c, b"shared!", rp, rl);
            put_u32(&mut c, cas, 5);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_shared_data",
        |mut c: Caller<'_, Host>, kp: i32, kl: i32, vp: i32, vl: i32, cas: i32| {
            let (k, v) = (read_str(&mut c, kp, kl), read_str(&mut c, vp, vl));
            c.data_mut()
                .hostcalls
                .push(format!("set_shared_data({k:?}, {v:?}, {cas})"));
            8 // cas mismatch
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_define_metric",
        |mut c: Caller<'_, Host>, kind: i32, np: i32, nl: i32, id: i32| {
            let n = read_str(&mut c, np, nl);
            c.data_mut()
                .hostcalls
                .push(format!("define_metric({kind}, {n:?})"));
            put_u32(&mut c, id, 77);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_increment_metric",
        |mut c: Caller<'_, Host>, id: i32, off: i64| {
            c.data_mut()
                .hostcalls
                .push(format!("increment_metric({id}, {off})"));
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_metric",
        |mut c: Caller<'_, Host>, id: i32, p: i32| {
            c.data_mut().hostcalls.push(format!("get_metric({id})"));
            let m = mem(&mut c);
            m.write(&mut c, p as usize, &42u64.to_le_bytes()).unwrap();
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_register_shared_queue",
        |mut c: Caller<'_, Host>, np: i32, nl: i32, id: i32| {
            let n = read_str(&mut c, np, nl);
            c.data_mut()
                .hostcalls
                .push(format!("register_shared_queue({n:?})"));
            let queues = &mut c.data_mut().queues;
            let q = match queues.iter().position(|(v, k, _)| v == VM_ID && *k == n) {
                Some(i) => i + 1,
                None => {
                    queues.push((VM_ID.into(), n, Default::default()));
                    queues.len()
                }
            };
            put_u32(&mut c, id, q as u32);
            OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_resolve_shared_queue",
        |mut c: Caller<'_, Host>, vp: i32, vl: i32, np: i32, nl: i32, id: i32| {
            let (v, n) = (read_str(&mut c, vp, vl), read_str(&mut c, np, nl));
            c.data_mut()
                .hostcalls
                .push(format!("resolve_shared_queue({v:?}, {n:?})"));
            let found = c
                .data()
                .queues
                .iter()
                .position(|(qv, qn, _)| *qv == v && *qn == n);
            match found {
                Some(i) => {
                    put_u32(&mut c, id, i as u32 + 1);
                    OK
                }
                None => 1, // not found
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_enqueue_shared_queue",
        |mut c: Caller<'_, Host>, q: i32, p: i32, l: i32| {
            let item = read(&mut c, p, l);
            c.data_mut().hostcalls.push(format!(
                "enqueue_shared_queue({q}, {:?})",
                String::from_utf8_lossy(&item)
            ));
            let d = c.data_mut();
            match d.queues.get_mut((q as usize).wrapping_sub(1)) {
                Some((vm, _, items)) => {
                    items.push_back(item);
                    if vm == VM_ID && !d.ready.contains(&q) {
                        d.ready.push(q);
                    }
                    OK
                }
                None => NOT_FOUND,
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_dequeue_shared_queue",
        |mut c: Caller<'_, Host>, q: i32, rp: i32, rl: i32| {
            c.data_mut()
                .hostcalls
                .push(format!("dequeue_shared_queue({q})"));
            let item = match c.data_mut().queues.get_mut((q as usize).wrapping_sub(1)) {
                None => return 1,
                Some((_, _, items)) => items.pop_front(),
            };
            match item {
                None => 7, // empty
                Some(item) => {
                    give(&mut c, &item, rp, rl);
                    OK
                }
            }
        },
    )?;
    linker.func_wrap(
        "wasi_snapshot_preview1",
        "fd_write",
        |mut c: Caller<'_, Host>, fd: i32, iovs: i32, n: i32, written: i32| {
            let mut total = 0;
            for k in 0..n {
                let iov = read(&mut c, iovs + 8 * k, 8);
                let p = i32::from_le_bytes(iov[0..4].try_into().unwrap());
                let l = i32::from_le_bytes(iov[4..8].try_into().unwrap());
                let data = read(&mut c, p, l);
                c.data_mut().fd_out.entry(fd).or_default().extend(data);
                total += l;
            }
            put_u32(&mut c, written, total as u32);
            OK
        },
    )?;
    linker.define_unknown_imports_as_traps(&module)?;
    let mut store = Store::new(
        &engine,
        Host {
            now: 1_000_000_000,
            ..Host::default()
        },
    );
    let instance = linker.instantiate(&mut store, &module)?;
    instance
        .get_typed_func::<(), ()>(&mut store, "_initialize")?
        .call(&mut store, ())?;
    Ok((store, instance))
}

pub fn f<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
    s: &mut Store<Host>,
    i: &Instance,
    name: &str,
) -> TypedFunc<P, R> {
    i.get_typed_func::<P, R>(s, name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}
