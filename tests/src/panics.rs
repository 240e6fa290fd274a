//! What a plugin panic costs, checked the same way on the emulator and in
//! Envoy with the `sdk-fixture` fixture: the panicking request is answered
//! `500` (the adapter's default `on-panic: reply`), and the same plugin
//! instance serves every request after it.

use anyhow::{Result, ensure};
use gatewit_host_shim::exchange::{Exchange, Gateway, HttpRequest, UpstreamResponse};

fn get(gw: &mut dyn Gateway, path: &str) -> Result<Exchange> {
    gw.send(
        &HttpRequest::get("example.com", path),
        &UpstreamResponse::default(),
    )
}

/// One request served normally, with the instance's request count `n`.
fn served(gw: &mut dyn Gateway, n: u32) -> Result<()> {
    let ex = get(gw, "/")?;
    ensure!(
        ex.response.status == 200
            && ex.upstream_header("x-served") == Some(n.to_string().as_str())
            && ex.response_header("x-response-phase") == Some("ran"),
        "request {n} after a panic was not served by the same plugin instance: {ex:?}"
    );
    Ok(())
}

/// A request, a panic in its request phase, `after` requests, a panic in a
/// response phase, one more request: each panicking request gets `500`,
/// and the count the plugin keeps goes on (the instance was not replaced).
pub fn a_panic_costs_one_request(gw: &mut dyn Gateway, after: u32) -> Result<()> {
    served(gw, 1)?;
    let ex = get(gw, "/boom")?;
    ensure!(
        ex.response.status == 500 && ex.upstream.is_none(),
        "a panic in the request phase: {ex:?}"
    );
    ensure!(ex.response_header("x-response-phase").is_none(), "{ex:?}");
    for n in 2..2 + after {
        served(gw, n)?;
    }
    // The upstream answered; the plugin panicked on the answer: the client
    // gets the 500 instead.
    let ex = get(gw, "/boom-late")?;
    ensure!(
        ex.response.status == 500 && ex.upstream.is_some(),
        "a panic in the response phase: {ex:?}"
    );
    served(gw, after + 3)?;
    Ok(())
}
