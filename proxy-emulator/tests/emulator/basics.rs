//! Module shape, traps, hostcalls, configuration, bodies and limits.

use super::*;

#[test]
fn empty_module_passes_requests_through() {
    let mut gw =
        Emulator::new(&wat(EMPTY_WAT), &GatewaySetup::default()).expect("empty module loads");
    let gw: &mut dyn Gateway = &mut gw;
    assert_eq!(gw.tier(), "emulator");
    let req = HttpRequest::post("example.com", "/a?b=1", "payload").header("x-a", "1");
    let ex = gw
        .send(&req, &UpstreamResponse::default())
        .expect("exchange");
    let up = ex.upstream.as_ref().expect("reached the upstream");
    assert_eq!((up.method.as_str(), up.path.as_str()), ("POST", "/a?b=1"));
    assert_eq!(up.body, b"payload");
    assert_eq!(ex.upstream_header("x-a"), Some("1"));
    assert_eq!(ex.upstream_header("host"), Some("example.com"));
    assert_eq!(ex.response.status, 200);
    assert_eq!(ex.body_text(), "upstream ok");
}

#[test]
fn module_shape_is_checked_like_envoy() {
    let cases = [
        (
            EMPTY_WAT.replace(r#"(func (export "proxy_abi_version_0_2_1"))"#, ""),
            "proxy_abi_version_0_2_1",
        ),
        (
            EMPTY_WAT.replace(r#"(memory (export "memory") 1)"#, "(memory 1)"),
            "exports no linear memory",
        ),
        (EMPTY_WAT.replace(r#"(export "malloc")"#, ""), "allocator"),
        (
            EMPTY_WAT.replace(
                "(memory",
                r#"(import "env" "proxy_frobnicate" (func (param i32) (result i32))) (memory"#,
            ),
            "`env.proxy_frobnicate`",
        ),
    ];
    for (text, expected) in cases {
        let err = Emulator::new(&wat(&text), &GatewaySetup::default())
            .expect_err("bad shape must be refused");
        assert!(
            err_text(err).contains(expected),
            "error should mention {expected}"
        );
    }
    // The Higress marker is accepted and reported.
    let higress = EMPTY_WAT.replace("proxy_abi_version_0_2_1", "proxy_abi_version_0_2_100");
    let gw = Emulator::new(&wat(&higress), &GatewaySetup::default()).expect("higress marker loads");
    assert!(gw.higress_abi());
    // Redis imports do not load on the stock Envoy profile.
    let redis = EMPTY_WAT.replace(
        "(memory",
        r#"(import "env" "proxy_redis_call" (func (param i32 i32 i32 i32 i32) (result i32))) (memory"#,
    );
    let options = EmulatorOptions {
        profile: HostProfile::Envoy,
        ..EmulatorOptions::default()
    };
    let err = Emulator::with_options(&wat(&redis), &GatewaySetup::default(), options)
        .expect_err("envoy has no redis");
    assert!(err_text(err).contains("only Higress provides"));
}

#[test]
fn trap_names_the_callback_and_breaks_the_vm() {
    let text = EMPTY_WAT.replace(
        r#"(func (export "proxy_abi_version_0_2_1"))"#,
        r#"(func (export "proxy_abi_version_0_2_1"))
           (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) unreachable)"#,
    );
    let mut gw = Emulator::new(&wat(&text), &GatewaySetup::default()).expect("loads");
    let err = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("trap");
    let text = err_text(err);
    assert!(
        text.contains("`proxy_on_request_headers` trapped"),
        "{text}"
    );
    assert!(text.contains("unreachable"), "{text}");
    let again = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("vm is broken");
    assert!(err_text(again).contains("unusable"));
}

#[test]
fn headers_properties_metrics_and_shared_data() {
    let mut gw =
        Emulator::new(&fixture("headers"), &setup(json!("tag1"))).expect("headers fixture loads");
    let req = HttpRequest::get("example.com", "/p")
        .header("x-in", "hello")
        .header("x-replace-me", "a")
        .header("x-replace-me", "b")
        .header("x-remove-me", "x");
    let upstream = UpstreamResponse {
        status: 201,
        ..UpstreamResponse::default()
    };
    let ex = gw.send(&req, &upstream).expect("exchange");
    assert_eq!(ex.upstream_header("x-emu-tag"), Some("tag1"));
    assert_eq!(ex.upstream_header("x-in-echo"), Some("hello"));
    assert_eq!(ex.upstream_header("x-remove-me"), None);
    assert_eq!(ex.upstream_header("x-route"), Some("test-route"));
    assert_eq!(
        ex.upstream_header("x-cluster"),
        Some("outbound|80||upstream.static")
    );
    let up = ex.upstream.as_ref().expect("upstream");
    let replaced: Vec<&str> = up
        .headers
        .iter()
        .filter(|(k, _)| k == "x-replace-me")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(replaced, ["replaced"]);
    // 8 sent (4 pseudo) + x-emu-tag + x-in-echo - one x-replace-me - x-remove-me + x-route + x-cluster.
    assert_eq!(ex.upstream_header("x-count"), Some("10"));
    assert_eq!(ex.response.status, 201);
    assert_eq!(ex.response_header("x-saw-path"), Some("/p"));
    assert_eq!(ex.response_header("x-upstream-status"), Some("201"));
    assert_eq!(ex.response_header("content-type"), Some("text/emulated"));

    gw.send(
        &HttpRequest::get("example.com", "/q"),
        &UpstreamResponse::default(),
    )
    .expect("second exchange");
    assert_eq!(gw.metric("emu_requests_total"), Some(2));
    assert_eq!(gw.shared_data("emu-count").map(|(v, _)| v), Some(&b"2"[..]));
    assert!(
        gw.logs()
            .iter()
            .any(|l| l.level == LogLevel::Info && l.message.contains("sees")),
        "{:?}",
        gw.logs()
    );
}

#[test]
fn rejected_config_carries_the_plugins_reason() {
    let err = Emulator::new(&fixture("headers"), &setup(json!("reject")))
        .expect_err("config must be rejected");
    let text = err_text(err);
    assert!(text.contains("proxy_on_configure"), "{text}");
    assert!(
        text.contains("config rejected: `reject` is not a valid tag"),
        "{text}"
    );
}
