//! Functional check: run adapted modules under wasmtime's core API with
//! small `env.proxy_*` stubs and drive the `proxy_on_*` callbacks the way
//! Envoy does.

mod common;

use anyhow::Result;
use gatewit_adapter::{Options, Profile, adapt};
use std::collections::HashMap;
use wasmtime::{Caller, Engine, Instance, Linker, Module, Store, TypedFunc};

#[derive(Default)]
struct Host {
    maps: HashMap<i32, Vec<(String, String)>>,
    buffers: HashMap<i32, Vec<u8>>,
    added: Vec<(i32, String, String)>,
    logs: Vec<(i32, String)>,
    calls: Vec<(String, Vec<(String, String)>, u32)>,
    redis_init: Vec<(String, String, u32)>,
    redis_calls: Vec<(String, Vec<u8>)>,
    effective: Vec<i32>,
    tick: Option<i32>,
    next_token: i32,
    now: u64,
}

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
    let p = if data.is_empty() { 0 } else { malloc.call(&mut *caller, data.len() as i32).unwrap() };
    let m = mem(caller);
    m.write(&mut *caller, p as usize, data).unwrap();
    put_u32(caller, rp, p as u32);
    put_u32(caller, rl, data.len() as u32);
}
fn serialize(map: &[(String, String)]) -> Vec<u8> {
    let mut out = (map.len() as u32).to_le_bytes().to_vec();
    for (k, v) in map {
        out.extend((k.len() as u32).to_le_bytes());
        out.extend((v.len() as u32).to_le_bytes());
    }
    for (k, v) in map {
        out.extend(k.as_bytes());
        out.push(0);
        out.extend(v.as_bytes());
        out.push(0);
    }
    out
}
fn deserialize(b: &[u8]) -> Vec<(String, String)> {
    let u = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap()) as usize;
    let n = u(0);
    let mut at = 4 + 8 * n;
    (0..n)
        .map(|i| {
            let (kl, vl) = (u(4 + 8 * i), u(8 + 8 * i));
            let k = String::from_utf8(b[at..at + kl].to_vec()).unwrap();
            at += kl + 1;
            let v = String::from_utf8(b[at..at + vl].to_vec()).unwrap();
            at += vl + 1;
            (k, v)
        })
        .collect()
}

fn instantiate(module: &[u8]) -> Result<(Store<Host>, Instance)> {
    let engine = Engine::default();
    let module = Module::new(&engine, module)?;
    let mut linker = Linker::<Host>::new(&engine);
    linker.func_wrap("env", "proxy_log", |mut c: Caller<'_, Host>, level: i32, p: i32, l: i32| {
        let s = read_str(&mut c, p, l);
        c.data_mut().logs.push((level, s));
        0
    })?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_value",
        |mut c: Caller<'_, Host>, map: i32, kp: i32, kl: i32, rp: i32, rl: i32| {
            let k = read_str(&mut c, kp, kl);
            let v = c.data().maps.get(&map).and_then(|m| m.iter().find(|(n, _)| *n == k)).map(|(_, v)| v.clone());
            match v {
                Some(v) => {
                    give(&mut c, v.as_bytes(), rp, rl);
                    0
                }
                None => 1,
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_add_header_map_value",
        |mut c: Caller<'_, Host>, map: i32, kp: i32, kl: i32, vp: i32, vl: i32| {
            let (k, v) = (read_str(&mut c, kp, kl), read_str(&mut c, vp, vl));
            c.data_mut().added.push((map, k, v));
            0
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_pairs",
        |mut c: Caller<'_, Host>, map: i32, rp: i32, rl: i32| {
            let data = serialize(c.data().maps.get(&map).map(|v| v.as_slice()).unwrap_or(&[]));
            give(&mut c, &data, rp, rl);
            0
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_buffer_bytes",
        |mut c: Caller<'_, Host>, ty: i32, start: i32, max: i32, rp: i32, rl: i32| {
            let Some(b) = c.data().buffers.get(&ty).cloned() else { return 1 };
            let start = (start as usize).min(b.len());
            let end = (start + max as usize).min(b.len());
            give(&mut c, &b[start..end], rp, rl);
            0
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_http_call",
        |mut c: Caller<'_, Host>, up: i32, ul: i32, hp: i32, hl: i32, _bp: i32, _bl: i32, _tp: i32, _tl: i32, timeout: i32, tok: i32| {
            let cluster = read_str(&mut c, up, ul);
            let headers = deserialize(&read(&mut c, hp, hl));
            c.data_mut().calls.push((cluster, headers, timeout as u32));
            c.data_mut().next_token += 1;
            let t = c.data().next_token as u32;
            put_u32(&mut c, tok, t);
            0
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_redis_init",
        |mut c: Caller<'_, Host>, up: i32, ul: i32, userp: i32, userl: i32, _pp: i32, _pl: i32, timeout: i32| {
            let (u, user) = (read_str(&mut c, up, ul), read_str(&mut c, userp, userl));
            c.data_mut().redis_init.push((u, user, timeout as u32));
            0
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
            0
        },
    )?;
    linker.func_wrap("env", "proxy_set_effective_context", |mut c: Caller<'_, Host>, ctx: i32| {
        c.data_mut().effective.push(ctx);
        0
    })?;
    linker.func_wrap("env", "proxy_set_tick_period_milliseconds", |mut c: Caller<'_, Host>, ms: i32| {
        c.data_mut().tick = Some(ms);
        0
    })?;
    linker.func_wrap("env", "proxy_get_current_time_nanoseconds", |mut c: Caller<'_, Host>, p: i32| {
        let now = c.data().now;
        let m = mem(&mut c);
        m.write(&mut c, p as usize, &now.to_le_bytes()).unwrap();
        0
    })?;
    linker.func_wrap("wasi_snapshot_preview1", "random_get", |mut c: Caller<'_, Host>, p: i32, l: i32| {
        let m = mem(&mut c);
        m.data_mut(&mut c)[p as usize..(p + l) as usize].fill(7);
        0
    })?;
    linker.define_unknown_imports_as_traps(&module)?;
    let mut store = Store::new(&engine, Host { now: 1_000_000_000, ..Host::default() });
    let instance = linker.instantiate(&mut store, &module)?;
    instance.get_typed_func::<(), ()>(&mut store, "_initialize")?.call(&mut store, ())?;
    Ok((store, instance))
}

fn f<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(s: &mut Store<Host>, i: &Instance, name: &str) -> TypedFunc<P, R> {
    i.get_typed_func::<P, R>(s, name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn adapted(case: &str, profile: Profile) -> Result<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(case);
    let wat = std::fs::read_to_string(dir.join("module.wat"))?;
    let extra = std::fs::read_to_string(dir.join("world.wit")).ok();
    let world = if extra.is_some() { "test" } else { "plugin" };
    let component = common::component(&wat, extra.as_deref(), world)?;
    Ok(adapt(&component, &Options { profile })?.module)
}

fn log(s: &Store<Host>, level: i32, text: &str) -> bool {
    s.data().logs.iter().any(|(l, t)| *l == level && t == text)
}

#[test]
fn configure_and_request_headers_round_trip() -> Result<()> {
    let (mut s, i) = instantiate(&adapted("minimal", Profile::Envoy)?)?;
    let create = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_context_create");
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    create.call(&mut s, (1, 0))?;
    s.data_mut().buffers.insert(7, b"{}".to_vec());
    assert_eq!(configure.call(&mut s, (1, 2))?, 1);
    // a config the plugin rejects: false, and the message is logged
    s.data_mut().buffers.insert(7, b"xyz".to_vec());
    assert_eq!(configure.call(&mut s, (1, 3))?, 0);
    assert!(log(&s, 4, "bad config"), "{:?}", s.data().logs);

    s.data_mut().maps.insert(0, vec![("x-name".into(), "world".into())]);
    create.call(&mut s, (2, 1))?;
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 0);
    assert_eq!(s.data().added, vec![(0, "x-hello".to_string(), "world".to_string())]);
    assert!(log(&s, 2, "hello"));

    // no header: get-header is none, nothing added
    s.data_mut().maps.insert(0, vec![]);
    assert_eq!(headers.call(&mut s, (3, 1, 1))?, 0);
    assert_eq!(s.data().added.len(), 1);
    Ok(())
}

#[test]
fn higress_calls_redis_and_http() -> Result<()> {
    let (mut s, i) = instantiate(&adapted("higress", Profile::Higress)?)?;
    let create = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_context_create");
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let resp_headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_response_headers");
    let http_resp = f::<(i32, i32, i32, i32, i32), ()>(&mut s, &i, "proxy_on_http_call_response");
    let redis_resp = f::<(i32, i32, i32, i32), ()>(&mut s, &i, "proxy_on_redis_call_response");
    i.get_typed_func::<(), ()>(&mut s, "proxy_abi_version_0_2_100")?;

    create.call(&mut s, (1, 0))?;
    assert_eq!(configure.call(&mut s, (1, 0))?, 1);
    assert_eq!(
        s.data().redis_init,
        vec![("redis?db=2&max_buffer_size_before_flush=1024".to_string(), String::new(), 1000)]
    );
    assert_eq!(s.data().tick, Some(1000));

    create.call(&mut s, (2, 1))?;
    // higress passes stop-all-and-buffer (3) through
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 3);
    assert_eq!(resp_headers.call(&mut s, (2, 1, 1))?, 2);
    assert_eq!(s.data().calls, vec![("backend".to_string(), vec![(":path".to_string(), "/".to_string())], 500)]);
    assert_eq!(s.data().redis_calls, vec![("redis".to_string(), b"*1\r\n$4\r\nPING\r\n".to_vec())]);

    // the answer: request 2 is made current again, then the plugin logs
    // the body and the first header
    s.data_mut().maps.insert(6, vec![(":status".into(), "200".into())]);
    s.data_mut().buffers.insert(4, b"hello".to_vec());
    http_resp.call(&mut s, (1, 1, 1, 5, 0))?;
    assert_eq!(s.data().effective, vec![2]);
    assert!(log(&s, 2, "hello") && log(&s, 2, "200"), "{:?}", s.data().logs);

    s.data_mut().buffers.insert(9, b"+PONG\r\n".to_vec());
    redis_resp.call(&mut s, (1, 2, 0, 7))?;
    assert_eq!(s.data().effective, vec![2, 2]);
    assert!(log(&s, 2, "+PONG\r\n"));
    redis_resp.call(&mut s, (1, 99, 1, 0))?;
    assert!(log(&s, 4, "redis failed"));

    // a failed call (no headers)
    headers.call(&mut s, (3, 1, 1))?;
    s.data_mut().now += 10_000_000_000;
    http_resp.call(&mut s, (1, 3, 0, 0, 0))?;
    assert_eq!(s.data().effective, vec![2, 2, 3]);
    assert!(log(&s, 4, "call failed"));

    // steady state: the glue's own memory does not grow per request
    let memory = i.get_memory(&mut s, "memory").unwrap();
    for ctx in 10..200 {
        headers.call(&mut s, (ctx, 1, 1))?;
        let t = s.data().next_token;
        http_resp.call(&mut s, (1, t - 1, 1, 5, 0))?;
        redis_resp.call(&mut s, (1, t, 1, 0))?;
    }
    assert!(memory.size(&s) <= 2, "memory grew to {} pages", memory.size(&s));
    Ok(())
}

#[test]
fn envoy_profile_maps_actions_and_has_no_redis() -> Result<()> {
    let module = adapted("envoy-redis", Profile::Envoy)?;
    let (mut s, i) = instantiate(&module)?;
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let resp_headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_response_headers");
    let body = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_body");
    assert_eq!(configure.call(&mut s, (1, 0))?, 1);
    assert!(s.data().redis_init.is_empty());
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 1, "stop-all-and-buffer → pause");
    assert_eq!(resp_headers.call(&mut s, (2, 1, 1))?, 0, "continue-and-end-stream → continue");
    assert_eq!(body.call(&mut s, (2, 1, 1))?, 1, "stop-no-buffer → pause");
    assert!(s.data().redis_calls.is_empty());
    assert!(i.get_func(&mut s, "proxy_on_redis_call_response").is_none());
    let text = wasmprinter::print_bytes(&module)?;
    assert!(!text.contains("proxy_redis"));
    Ok(())
}

#[test]
fn wasi_stdio_goes_to_the_log() -> Result<()> {
    let (mut s, i) = instantiate(&adapted("wasi-stdio", Profile::Envoy)?)?;
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let done = f::<i32, ()>(&mut s, &i, "proxy_on_log");
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 0);
    assert!(log(&s, 2, "to stdout"), "{:?}", s.data().logs);
    assert!(log(&s, 4, "to stderr"));
    // exit: logged, then a trap
    assert!(done.call(&mut s, 2).is_err());
    assert!(log(&s, 5, "gatewit: plugin called exit"), "{:?}", s.data().logs);
    Ok(())
}
