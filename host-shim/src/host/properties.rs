//! `gatewit:plugin/properties`: gateway and request properties.

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::StatusError;
use crate::bindings::gatewit::plugin::properties::{self, Host};
use crate::state::{Direction, HostState};

/// Adds `gatewit:plugin/properties` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    properties::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

/// The map key of a property path (segments joined with `.`, as Envoy's
/// attribute names read).
pub(crate) fn property_key(path: &[String]) -> String {
    path.join(".")
}

impl HostState {
    /// Request attributes Envoy derives from the request headers.
    fn request_attribute(&mut self, key: &str) -> Option<Vec<u8>> {
        let req = &self.current_request()?.flow;
        let request_headers = req.served_headers(Direction::Request);
        let header = |name: &str| {
            request_headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone().into_bytes())
        };
        match key {
            "request.path" => header(":path"),
            "request.url_path" => {
                header(":path").map(|p| p.split(|&b| b == b'?').next().unwrap_or_default().to_vec())
            }
            "request.method" => header(":method"),
            "request.host" => header(":authority"),
            "request.scheme" => header(":scheme").or_else(|| Some(b"http".to_vec())),
            // Envoy's attribute. `x_request_id` is not one: Higress's Go
            // wrapper writes it, so a gateway without one has none.
            "request.id" => header("x-request-id"),
            "request.protocol" => Some(b"HTTP/1.1".to_vec()),
            "source.address" => Some(crate::exchange::CLIENT_ADDRESS.as_bytes().to_vec()),
            // A map-valued attribute: Envoy serializes it as a pair map.
            "request.headers" => {
                let pairs: Vec<(&str, &str)> = request_headers
                    .iter()
                    .filter(|(k, _)| !k.starts_with(':'))
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                Some(gatewit_abi::pairs::serialize(&pairs))
            }
            // Envoy's: a local reply's details, else (an upstream answer)
            // `via_upstream`.
            "response.code_details" => req.response_details().map(|d| d.as_bytes().to_vec()),
            "response.code" => req
                .response
                .headers
                .iter()
                .find(|(k, _)| k == ":status")
                .map(|(_, v)| v.clone().into_bytes()),
            _ => None,
        }
    }
}

impl Host for HostState {
    fn get_property(&mut self, path: Vec<String>) -> Option<Vec<u8>> {
        let key = property_key(&path);
        if let Some(v) = self
            .current_request()
            .and_then(|r| r.properties.get(&key).cloned())
        {
            return Some(v);
        }
        if let Some(v) = self.p.properties.get(&key) {
            return Some(v.clone());
        }
        self.request_attribute(&key)
    }

    fn set_property(&mut self, path: Vec<String>, value: Vec<u8>) -> Result<(), StatusError> {
        if path.is_empty() {
            return Err(StatusError::BadArgument);
        }
        let key = property_key(&path);
        match self.current_request() {
            Some(req) => {
                req.properties.insert(key, value);
            }
            None => {
                self.p.properties.insert(key, value);
            }
        }
        Ok(())
    }
}
