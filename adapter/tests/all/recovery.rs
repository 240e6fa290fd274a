//! Panic recovery: a plugin panic (`unreachable`) costs the request it
//! happened in, not the plugin instance. Runs the `panic` golden case's
//! module under wasmtime (the standard exception encoding) with the test
//! host.

use crate::common;

use anyhow::Result;
use common::host::{Host, f, instantiate};
use gatewit_adapter::{OnPanic, Options, adapt};
use wasmtime::Store;

fn panic_plugin(on_panic: OnPanic) -> Result<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/panic");
    let wat = std::fs::read_to_string(dir.join("module.wat"))?;
    let component = common::component(&wat, None, "plugin")?;
    let options = Options {
        on_panic,
        ..common::options()
    };
    Ok(adapt(&component, &options)?.module)
}

fn replies(s: &Store<Host>) -> usize {
    s.data()
        .hostcalls
        .iter()
        .filter(|c| c.starts_with("send_local_response(500, \"gatewit_plugin_panicked\""))
        .count()
}

fn logged(s: &Store<Host>, text: &str) -> bool {
    s.data()
        .logs
        .iter()
        .any(|(l, t)| *l == 4 && t.contains(text))
}

/// 10,000 panicking requests in a row: each is answered 500 (reply) or goes
/// on (continue); the instance keeps serving, the shadow stack is restored
/// each time (without it the plugin's 64-byte frames would run the stack
/// into the data after ~1,000 panics), and memory does not grow.
#[test]
fn ten_thousand_panics_cost_their_requests_only() -> Result<()> {
    for (on_panic, action) in [(OnPanic::Reply, 1), (OnPanic::Continue, 0)] {
        let (mut s, i) = instantiate(&panic_plugin(on_panic)?)?;
        let create = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_context_create");
        let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
        let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
        let tick = f::<i32, ()>(&mut s, &i, "proxy_on_tick");
        create.call(&mut s, (1, 0))?;
        assert_eq!(configure.call(&mut s, (1, 0))?, 1);
        // A normal request first, so the glue's state block is allocated
        // before memory is measured.
        s.data_mut().maps.insert(0, vec![]);
        assert_eq!(headers.call(&mut s, (2, 1, 1))?, 0);
        let memory = i.get_memory(&mut s, "memory").expect("memory export");
        let pages = memory.size(&s);

        for ctx in 3..10_003 {
            s.data_mut()
                .maps
                .insert(0, vec![("x-boom".into(), "1".into())]);
            create.call(&mut s, (ctx, 1))?;
            assert_eq!(headers.call(&mut s, (ctx, 1, 1))?, action, "{on_panic:?}");
        }
        let expected = if on_panic == OnPanic::Reply {
            10_000
        } else {
            0
        };
        assert_eq!(replies(&s), expected, "{on_panic:?}");
        assert!(
            logged(
                &s,
                "gatewit: the plugin panicked in `proxy_on_request_headers`; its request"
            ),
            "{:?}",
            s.data().logs.last()
        );
        assert_eq!(memory.size(&s), pages, "memory grew over 10,000 panics");

        // The instance still serves.
        s.data_mut().maps.insert(0, vec![]);
        s.data_mut().added.clear();
        assert_eq!(headers.call(&mut s, (20_000, 1, 1))?, 0);
        assert_eq!(s.data().added, vec![(0, "x-ok".into(), "yes".into())]);

        // Plugin-level callbacks: a tick logs and returns; a configuration
        // whose start panics is rejected, and the plugin still serves.
        tick.call(&mut s, 1)?;
        assert!(logged(
            &s,
            "gatewit: the plugin panicked in `proxy_on_tick`"
        ));
        s.data_mut().buffers.insert(7, b"panic".to_vec());
        assert_eq!(configure.call(&mut s, (1, 5))?, 0);
        assert_eq!(headers.call(&mut s, (20_001, 1, 1))?, 0);
    }
    Ok(())
}

/// `on-panic: trap` keeps the old behaviour: the panic traps the instance.
#[test]
fn trap_policy_leaves_panics_fatal() -> Result<()> {
    let (mut s, i) = instantiate(&panic_plugin(OnPanic::Trap)?)?;
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    s.data_mut()
        .maps
        .insert(0, vec![("x-boom".into(), "1".into())]);
    let trap = headers
        .call(&mut s, (2, 1, 1))
        .expect_err("the panic traps");
    assert!(format!("{trap:?}").contains("unreachable"), "{trap:?}");
    assert_eq!(replies(&s), 0);
    Ok(())
}
