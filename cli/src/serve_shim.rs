//! `gatewit serve --shim`: the same edit loop through the host shim — the
//! component under wasmtime, no Envoy, no adapting. Each connection is read
//! on its own thread (a browser's idle pre-connection blocks nobody); the
//! plugin runs one request at a time, as one Envoy worker would: through
//! the plugin, on to the upstream if the plugin lets it, and the answer
//! back through the plugin's response phase.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gatewit_envoy_harness::server::{read_request, write_response};
use gatewit_host_shim::PluginHost;
use gatewit_host_shim::exchange::{ClientResponse, HttpRequest, UpstreamResponse};

use crate::serve::{Options, Watch, announce, component_of, upstream_of};

const POLL: Duration = Duration::from_millis(300);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves until `stop` is set.
pub fn serve(options: &Options, stop: &Arc<AtomicBool>) -> Result<()> {
    let (_echo, upstream) = upstream_of(options)?;
    let mut watch = Watch::new(options);
    let host = Arc::new(Mutex::new(start_host(options)?));
    let listener = TcpListener::bind(options.listen)
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    listener
        .set_nonblocking(true)
        .context("cannot poll the listener")?;
    announce(options, " through the host shim", upstream);

    let mut checked = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((conn, _)) => {
                let host = Arc::clone(&host);
                std::thread::spawn(move || {
                    if let Err(e) = handle(conn, &host, upstream) {
                        println!("[shim] request failed: {e:#}");
                    }
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => println!("[shim] accept failed: {e}"),
        }
        if checked.elapsed() < POLL {
            continue;
        }
        checked = Instant::now();
        let Some(generation) = watch.changed(options) else {
            continue;
        };
        match start_host(options) {
            Ok(new) => {
                *host.lock().unwrap_or_else(PoisonError::into_inner) = new;
                println!("  reloaded: new connections use generation {generation}");
            }
            Err(e) => {
                println!("  not reloaded, the previous plugin keeps serving: {e:#}");
            }
        }
    }
    println!("stopped");
    Ok(())
}

fn start_host(options: &Options) -> Result<PluginHost> {
    let component = component_of(options)?;
    let config = crate::demo::parse_config(options.config.as_deref())?;
    let mut builder = PluginHost::builder(component.as_path())
        .config_json(&config)
        .route_name("default")
        .upstream_cluster("upstream");
    for (name, addr) in &options.clusters {
        builder = builder.http_real(name, *addr);
    }
    for (name, addr) in &options.redis {
        builder = builder.redis_real(name, *addr);
    }
    let mut host = builder
        .start()
        .with_context(|| format!("the host shim could not start `{}`", component.display()))?;
    print_logs(&mut host);
    Ok(host)
}

/// One client request through the plugin (and the upstream, unless the
/// plugin answers it).
fn handle(mut conn: TcpStream, host: &Mutex<PluginHost>, upstream: SocketAddr) -> Result<()> {
    conn.set_nonblocking(false)
        .context("cannot block on the connection")?;
    let Some(request) = read_request(&conn, CLIENT_TIMEOUT)? else {
        return Ok(());
    };
    // A request that failed half-way leaves the host usable (the stream is
    // dropped), so a poisoned lock is taken over, not propagated.
    let mut host = host.lock().unwrap_or_else(PoisonError::into_inner);
    let response = exchange(&mut host, &request, upstream);
    print_logs(&mut host);
    drop(host);
    write_response(&mut conn, &response?)
}

fn exchange(
    host: &mut PluginHost,
    request: &HttpRequest,
    upstream: SocketAddr,
) -> Result<ClientResponse> {
    let mut stream = host.stream()?;
    stream.send_request(request)?;
    stream.answer_calls()?;
    let response = match stream.upstream_request() {
        Some(sent) if stream.local_reply().is_none() => {
            let forwarded = HttpRequest {
                method: sent.method.clone(),
                path: sent.path.clone(),
                authority: request.authority.clone(),
                headers: sent
                    .headers
                    .iter()
                    .filter(|(k, _)| !k.starts_with(':') && !k.eq_ignore_ascii_case("host"))
                    .cloned()
                    .collect(),
                body_chunks: if sent.body.is_empty() {
                    Vec::new()
                } else {
                    vec![sent.body.clone()]
                },
            };
            let answer = gatewit_envoy_harness::client::send(upstream, &forwarded, CLIENT_TIMEOUT)
                .with_context(|| format!("the upstream {upstream} did not answer"))?;
            stream.send_response(&UpstreamResponse {
                status: answer.status,
                headers: answer.headers,
                body_chunks: vec![answer.body],
            })?;
            stream.answer_calls()?;
            stream.client_response()
        }
        _ => stream.client_response(),
    };
    let response = response.unwrap_or_else(|| ClientResponse {
        status: 502,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: b"the plugin left the request paused".to_vec(),
    });
    stream.finish()?;
    Ok(response)
}

fn print_logs(host: &mut PluginHost) {
    for log in host.take_logs() {
        // Named as Envoy names them, so both ways of serving read alike.
        let level = gatewit_abi::proxy::log_level::envoy_name(log.level as u32);
        println!("[plugin {level}] {}", log.message);
    }
}
