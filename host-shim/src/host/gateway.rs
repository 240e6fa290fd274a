//! `gatewit:plugin/gateway`: foreign functions, and the Higress hostcalls
//! for streaming and load balancing. The host shim models a Higress
//! gateway here, as it does for Redis; an adapted module under the `envoy`
//! profile answers `unimplemented` to the three Higress functions instead.

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::StatusError;
use crate::bindings::gatewit::plugin::gateway::{self, Host};
use crate::exchange::HeaderList;
use crate::state::HostState;

/// Adds `gatewit:plugin/gateway` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    gateway::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

/// The WIT status for a proxy-wasm status code (`1` → `not-found`, …).
fn status_error(code: u32) -> StatusError {
    use gatewit_abi::proxy::status;
    match code {
        status::NOT_FOUND => StatusError::NotFound,
        status::BAD_ARGUMENT => StatusError::BadArgument,
        status::SERIALIZATION_FAILURE => StatusError::SerializationFailure,
        status::UNIMPLEMENTED => StatusError::Unimplemented,
        _ => StatusError::InternalFailure,
    }
}

impl Host for HostState {
    fn call_foreign_function(
        &mut self,
        name: String,
        args: Vec<u8>,
    ) -> Result<Vec<u8>, StatusError> {
        crate::foreign::call(&name, &args).map_err(status_error)
    }

    fn inject_encoded_data(
        &mut self,
        data: Vec<u8>,
        end_of_stream: bool,
    ) -> Result<(), StatusError> {
        let response = &mut self
            .current_request()
            .ok_or(StatusError::NotFound)?
            .flow
            .response;
        // Data goes to the client, so only once the response has started
        // (its headers went through the plugin) and until it ended.
        if !response.inject(&data, end_of_stream) {
            return Err(StatusError::BadArgument);
        }
        Ok(())
    }

    fn get_upstream_hosts(&mut self) -> Result<HeaderList, StatusError> {
        Ok(self.p.upstream_hosts.clone())
    }

    fn set_upstream_override_host(&mut self, address: String) -> Result<(), StatusError> {
        // Higress's Envoy takes an `IP:port` and nothing else.
        if address.parse::<std::net::SocketAddr>().is_err() {
            return Err(StatusError::BadArgument);
        }
        self.current_request()
            .ok_or(StatusError::NotFound)?
            .upstream_override_host = Some(address);
        Ok(())
    }
}
