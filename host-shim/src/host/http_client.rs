//! `gatewit:plugin/http-client`: outbound HTTP calls to gateway clusters.

use wasmtime::component::{HasSelf, Linker};

use crate::backend::HttpCallRequest;
use crate::bindings::StatusError;
use crate::bindings::gatewit::plugin::http_client::{self, Host};
use crate::exchange::HeaderList;
use crate::state::{HostState, HttpCallRecord, PendingHttp};

/// Adds `gatewit:plugin/http-client` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    http_client::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

impl Host for HostState {
    fn dispatch_http_call(
        &mut self,
        cluster: String,
        headers: HeaderList,
        body: Vec<u8>,
        trailers: HeaderList,
        timeout_ms: u32,
    ) -> Result<u32, StatusError> {
        let has = |name: &str| headers.iter().any(|(k, v)| k == name && !v.is_empty());
        if !(has(":method") && has(":path") && has(":authority")) {
            return Err(StatusError::BadArgument);
        }
        let Some(backend) = self.p.http_backends.get(&cluster).cloned() else {
            return Err(StatusError::NotFound);
        };
        let call_id = self.next_call_id;
        self.next_call_id = self.next_call_id.wrapping_add(1).max(1);
        let record = HttpCallRecord {
            context: self.current,
            call_id,
            cluster,
            request: HttpCallRequest {
                headers,
                body,
                trailers,
            },
            timeout_ms,
            outcome: None,
        };
        self.p.http_calls.push(record);
        self.pending_http.push_back(PendingHttp {
            record_index: self.p.http_calls.len() - 1,
            backend,
        });
        Ok(call_id)
    }
}
