//! `gatewit:plugin/http`: headers, bodies, local replies and flow control of
//! the current request.

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::gatewit::plugin::http::{self, Host};
use crate::bindings::{BodyKind, MapKind, StatusError};
use crate::exchange::HeaderList;
use crate::state::{Direction, HostState, LocalReply, RequestState};

/// Adds `gatewit:plugin/http` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    http::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

fn map(req: &mut RequestState, kind: MapKind) -> &mut HeaderList {
    match kind {
        MapKind::RequestHeaders => &mut req.flow.request.headers,
        MapKind::RequestTrailers => &mut req.flow.request.trailers,
        MapKind::ResponseHeaders => &mut req.flow.response.headers,
        MapKind::ResponseTrailers => &mut req.flow.response.trailers,
    }
}

fn body(req: &mut RequestState, kind: BodyKind) -> &mut Vec<u8> {
    match kind {
        BodyKind::RequestBody => &mut req.flow.request.body,
        BodyKind::ResponseBody => &mut req.flow.response.body,
    }
}

impl HostState {
    /// Runs `f` on header map `kind` of the current request, to read or
    /// (`write`) to change it; `not-found` when no request is current
    /// (plugin-level callbacks), `bad-argument` when Envoy would not serve
    /// the map now (`StreamState::headers_served`).
    fn with_map<R>(
        &mut self,
        kind: MapKind,
        write: bool,
        f: impl FnOnce(&mut HeaderList) -> R,
    ) -> Result<R, StatusError> {
        let request = self.current_request().ok_or(StatusError::NotFound)?;
        let dir = match kind {
            MapKind::RequestHeaders => Some(Direction::Request),
            MapKind::ResponseHeaders => Some(Direction::Response),
            MapKind::RequestTrailers | MapKind::ResponseTrailers => None,
        };
        if dir.is_some_and(|dir| !request.flow.headers_served(dir, write)) {
            return Err(StatusError::BadArgument);
        }
        Ok(f(map(request, kind)))
    }

    fn with_body<R>(
        &mut self,
        kind: BodyKind,
        f: impl FnOnce(&mut Vec<u8>) -> R,
    ) -> Result<R, StatusError> {
        self.current_request()
            .map(|r| f(body(r, kind)))
            .ok_or(StatusError::NotFound)
    }

    /// Marks direction `dir` of the current request for resuming; the
    /// harness acts on it once the callback returns.
    fn resume(&mut self, dir: Direction) -> Result<(), StatusError> {
        let half = self
            .current_request()
            .ok_or(StatusError::NotFound)?
            .flow
            .half(dir);
        if !half.paused() {
            return Err(StatusError::BadArgument);
        }
        half.resume = true;
        Ok(())
    }
}

impl Host for HostState {
    fn get_header(&mut self, kind: MapKind, name: String) -> Option<String> {
        self.with_map(kind, false, |m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&name))
                .map(|(_, v)| v.clone())
        })
        .ok()
        .flatten()
    }

    fn get_headers(&mut self, kind: MapKind) -> HeaderList {
        self.with_map(kind, false, |m| m.clone())
            .unwrap_or_default()
    }

    fn set_headers(&mut self, kind: MapKind, headers: HeaderList) -> Result<(), StatusError> {
        self.with_map(kind, true, |m| {
            *m = headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect()
        })
    }

    fn add_header(
        &mut self,
        kind: MapKind,
        name: String,
        value: String,
    ) -> Result<(), StatusError> {
        self.with_map(kind, true, |m| m.push((name.to_ascii_lowercase(), value)))
    }

    fn replace_header(
        &mut self,
        kind: MapKind,
        name: String,
        value: String,
    ) -> Result<(), StatusError> {
        self.with_map(kind, true, |m| {
            // Keep the position of the first value, as Envoy's `setCopy` does.
            match m.iter().position(|(k, _)| k.eq_ignore_ascii_case(&name)) {
                Some(first) => {
                    m[first].1 = value;
                    let mut i = 0;
                    m.retain(|(k, _)| {
                        let keep = i == first || !k.eq_ignore_ascii_case(&name);
                        i += 1;
                        keep
                    });
                }
                None => m.push((name.to_ascii_lowercase(), value)),
            }
        })
    }

    fn remove_header(&mut self, kind: MapKind, name: String) -> Result<(), StatusError> {
        self.with_map(kind, true, |m| {
            m.retain(|(k, _)| !k.eq_ignore_ascii_case(&name))
        })
    }

    fn get_body(&mut self, kind: BodyKind, start: u32, max_size: u32) -> Vec<u8> {
        self.with_body(kind, |b| {
            let start = (start as usize).min(b.len());
            let end = start.saturating_add(max_size as usize).min(b.len());
            b[start..end].to_vec()
        })
        .unwrap_or_default()
    }

    fn replace_body(&mut self, kind: BodyKind, data: Vec<u8>) -> Result<(), StatusError> {
        self.with_body(kind, |b| *b = data)
    }

    fn append_body(&mut self, kind: BodyKind, data: Vec<u8>) -> Result<(), StatusError> {
        self.with_body(kind, |b| b.extend_from_slice(&data))
    }

    fn prepend_body(&mut self, kind: BodyKind, data: Vec<u8>) -> Result<(), StatusError> {
        self.with_body(kind, |b| {
            b.splice(0..0, data);
        })
    }

    fn send_local_reply(
        &mut self,
        status: u16,
        headers: HeaderList,
        body: Vec<u8>,
        grpc_status: Option<i32>,
        details: String,
    ) -> Result<(), StatusError> {
        let req = self.current_request().ok_or(StatusError::NotFound)?;
        if !(100..=999).contains(&status) {
            return Err(StatusError::BadArgument);
        }
        // The client already has a response: Envoy can only reset here, and
        // a second local reply while one is running is ignored.
        if req.flow.local_reply.is_some() || req.flow.response.forwarded_headers.is_some() {
            return Err(StatusError::BadArgument);
        }
        let headers = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        req.flow.local_reply = Some(LocalReply {
            status,
            headers,
            body,
            grpc_status,
            details,
        });
        Ok(())
    }

    fn resume_request(&mut self) -> Result<(), StatusError> {
        self.resume(Direction::Request)
    }

    fn resume_response(&mut self) -> Result<(), StatusError> {
        self.resume(Direction::Response)
    }

    fn reset_stream(&mut self) -> Result<(), StatusError> {
        // The flow model ends the request when the callback returns.
        self.current_request()
            .ok_or(StatusError::NotFound)?
            .flow
            .reset = true;
        Ok(())
    }
}
