//! The output's function types: one per signature, shared by every
//! module's functions, the host imports and the generated functions.

use super::malformed;
use crate::AdaptError;
use std::collections::HashMap;
use wasm_encoder::{TypeSection, ValType};
use wasmparser::{Parser, Payload};

pub(crate) type Sig = (Vec<ValType>, Vec<ValType>);

/// Output function types, shared by structure.
#[derive(Default)]
pub(crate) struct Types {
    pub section: TypeSection,
    by_sig: HashMap<Sig, u32>,
    /// Per output type: its parameter count.
    pub params: Vec<u32>,
}

impl Types {
    pub(crate) fn get(&mut self, sig: Sig) -> u32 {
        let next = self.by_sig.len() as u32;
        *self.by_sig.entry(sig).or_insert_with_key(|(p, r)| {
            self.section
                .ty()
                .function(p.iter().copied(), r.iter().copied());
            self.params.push(p.len() as u32);
            next
        })
    }
}

fn val(t: wasmparser::ValType) -> Result<ValType, AdaptError> {
    use wasmparser::ValType as V;
    Ok(match t {
        V::I32 => ValType::I32,
        V::I64 => ValType::I64,
        V::F32 => ValType::F32,
        V::F64 => ValType::F64,
        V::V128 => ValType::V128,
        V::Ref(r) if r == wasmparser::RefType::FUNCREF => ValType::FUNCREF,
        V::Ref(r) if r == wasmparser::RefType::EXTERNREF => ValType::EXTERNREF,
        V::Ref(r) => {
            return Err(AdaptError::UnsupportedShape(format!(
                "a core module uses reference type `{r}`; the linker handles funcref and externref"
            )));
        }
    })
}

/// Each module's function types, as output type indices.
pub(crate) fn module_types(bytes: &[u8], types: &mut Types) -> Result<Vec<u32>, AdaptError> {
    let mut out = Vec::new();
    for p in Parser::new(0).parse_all(bytes) {
        if let Payload::TypeSection(r) = p.map_err(malformed)? {
            for rec in r {
                let rec = rec.map_err(malformed)?;
                for st in rec.types() {
                    let wasmparser::CompositeInnerType::Func(f) = &st.composite_type.inner else {
                        return Err(AdaptError::UnsupportedShape(
                            "a core module defines GC types; the linker handles function types"
                                .into(),
                        ));
                    };
                    let params = f
                        .params()
                        .iter()
                        .map(|t| val(*t))
                        .collect::<Result<_, _>>()?;
                    let results = f
                        .results()
                        .iter()
                        .map(|t| val(*t))
                        .collect::<Result<_, _>>()?;
                    out.push(types.get((params, results)));
                }
            }
        }
    }
    Ok(out)
}
