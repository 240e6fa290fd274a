//! The adapter on what real toolchains emit: the `gatewit-adapter-fixture`
//! crate (wit-bindgen + std + println!) built for `wasm32-wasip2`, and for
//! `wasm32-wasip1` wrapped into a component with the preview1 reactor
//! adapter (as `wasm-tools component new --adapt` does).
//!
//! The test builds the fixture itself with the `cargo` running it.

use crate::common;

use anyhow::{Result, ensure};
use common::host::{f, instantiate};
use gatewit_adapter::{Options, Profile, adapt, verify};

fn build(target: &str) -> Result<Vec<u8>> {
    gatewit_test_programs::bytes("gatewit-adapter-fixture", target)
}

/// Drive configure + request headers and check what the host saw.
fn exercise(module: &[u8], wasip1: bool) -> Result<()> {
    let (mut s, i) = instantiate(module)?;
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let done = f::<i32, ()>(&mut s, &i, "proxy_on_log");
    let queue_ready = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_queue_ready");
    s.data_mut().buffers.insert(7, b"{}".to_vec());
    assert_eq!(configure.call(&mut s, (1, 2))?, 1);
    s.data_mut().buffers.insert(7, b"xyz".to_vec());
    assert_eq!(configure.call(&mut s, (1, 3))?, 0);
    assert!(
        s.data()
            .logs
            .iter()
            .any(|(l, t)| *l == 4 && t == "bad config: 3 bytes"),
        "{:?}",
        s.data().logs
    );

    let memory = i.get_memory(&mut s, "memory").unwrap();
    let mut pages = 0;
    for ctx in 2..2000 {
        s.data_mut().maps.insert(
            0,
            vec![
                ("x-name".into(), "world".into()),
                (":path".into(), "/".into()),
            ],
        );
        assert_eq!(headers.call(&mut s, (ctx, 2, 1))?, 0);
        done.call(&mut s, ctx)?;
        // What Envoy posts after a callback enqueued into this VM's queue.
        for queue in std::mem::take(&mut s.data_mut().ready) {
            queue_ready.call(&mut s, (1, queue))?;
        }
        if ctx == 100 {
            pages = memory.size(&s);
        }
    }
    // Every host string (dequeued items too) is owned by the plugin and freed
    // by it: memory stays flat over many requests.
    assert_eq!(memory.size(&s), pages, "memory grew");
    let d = s.data();
    assert!(d.added.contains(&(0, "x-hello".into(), "world".into())));
    assert!(d.added.contains(&(0, "x-count".into(), "2".into())));
    assert!(d.logs.iter().any(|(l, t)| *l == 2 && t == "hello world"));
    // One queue, registered once (the second configure reuses it), every
    // request's name through it and out again.
    assert_eq!(d.queues.len(), 1, "{:?}", d.queues);
    assert!(d.queues[0].2.is_empty());
    let dequeued = d
        .logs
        .iter()
        .filter(|(l, t)| *l == 1 && t == "dequeued world")
        .count();
    assert_eq!(dequeued, 1998);
    if wasip1 {
        // preview1 imports go straight to the host (Envoy provides them).
        let out = String::from_utf8_lossy(d.fd_out.get(&1).map(|v| v.as_slice()).unwrap_or(&[]))
            .to_string();
        assert!(
            out.contains("plugin started with 2 bytes of config"),
            "{out}"
        );
    } else {
        assert!(
            d.logs
                .iter()
                .any(|(l, t)| *l == 2 && t == "plugin started with 2 bytes of config"),
            "{:?}",
            d.logs
        );
        assert!(
            d.logs
                .iter()
                .any(|(l, t)| *l == 4 && t == "request 2 from world"),
            "{:?}",
            &d.logs[..6.min(d.logs.len())]
        );
    }
    Ok(())
}

#[test]
fn wasip2_component_adapts_and_runs() -> Result<()> {
    let component = build("wasm32-wasip2")?;
    for profile in [Profile::Envoy, Profile::Higress] {
        // Names kept under one profile only: both encodings get run.
        let keep_names = profile == Profile::Higress;
        let out = adapt(
            &component,
            &Options {
                profile,
                keep_names,
                ..common::options()
            },
        )?;
        verify(&component, &out.module)?;
        eprintln!(
            "wasip2 {profile:?}: {} → {} bytes",
            component.len(),
            out.module.len()
        );
        exercise(&out.module, false)?;
    }
    Ok(())
}

#[test]
fn wasip1_with_preview1_adapter_adapts_and_runs() -> Result<()> {
    let module = build("wasm32-wasip1")?;
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)?
        .adapter(
            "wasi_snapshot_preview1",
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        )?
        .encode()?;
    let out = adapt(&component, &common::options())?;
    verify(&component, &out.module)?;
    eprintln!(
        "wasip1: {} → {} bytes; passthrough {:?}",
        component.len(),
        out.module.len(),
        out.report.passthrough
    );
    ensure!(
        out.report
            .imports
            .iter()
            .any(|i| i.starts_with("wasi_snapshot_preview1."))
    );
    exercise(&out.module, true)
}
