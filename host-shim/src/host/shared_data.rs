//! `gatewit:plugin/shared-data`: key-value data with compare-and-swap.

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::StatusError;
use crate::bindings::gatewit::plugin::shared_data::{self, Host, SharedValue};
use crate::state::HostState;

/// Adds `gatewit:plugin/shared-data` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    shared_data::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

impl Host for HostState {
    fn get_shared_data(&mut self, key: String) -> Option<SharedValue> {
        self.p
            .shared_data
            .get(&key)
            .map(|(value, cas)| SharedValue {
                value: value.clone(),
                cas: *cas,
            })
    }

    fn set_shared_data(
        &mut self,
        key: String,
        value: Vec<u8>,
        cas: u32,
    ) -> Result<(), StatusError> {
        let entry = self
            .p
            .shared_data
            .entry(key)
            .or_insert_with(|| (Vec::new(), 0));
        if cas != 0 && entry.1 != cas {
            return Err(StatusError::CasMismatch);
        }
        // Versions start at 1 so that 0 keeps meaning "no compare-and-swap".
        entry.0 = value;
        entry.1 = entry.1.wrapping_add(1).max(1);
        Ok(())
    }
}
