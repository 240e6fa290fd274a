//! A module written into one buffer, sized for it up front.
//!
//! A big plugin's code and data sections are megabytes (CPython's: 6 MB
//! and 11 MB). Built the usual way, each grows its own buffer by doubling
//! and is then copied into the module's, which grows the same way: every
//! size on the way is faulted in and copied, a quarter of the page faults
//! of adapting CPython. Here the code and data are written once, where
//! they end up, in the bytes `wasm-encoder` would give.

use wasm_encoder::{ConstExpr, Encode, Function, Section, SectionId};

/// One data segment, its bytes borrowed from the input.
pub(crate) struct Segment<'a> {
    /// `None`: passive; else the memory and the offset.
    pub active: Option<(u32, ConstExpr)>,
    pub data: &'a [u8],
}

/// The module being written.
pub(crate) struct Output(Vec<u8>);

/// The length of `n` as an unsigned LEB128.
fn leb_len(n: usize) -> usize {
    let bits = usize::BITS - n.leading_zeros();
    (bits.max(1) as usize).div_ceil(7)
}

impl Output {
    /// A module with room for `capacity` bytes (more is allowed).
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.extend_from_slice(b"\0asm\x01\0\0\0");
        Output(bytes)
    }

    /// Appends a section.
    pub(crate) fn section(&mut self, section: &impl Section) -> &mut Self {
        section.append_to(&mut self.0);
        self
    }

    /// Appends the code section of `functions`, as `CodeSection` encodes
    /// it.
    pub(crate) fn code<'f>(&mut self, functions: impl Iterator<Item = &'f Function> + Clone) {
        let (count, body) = functions.clone().fold((0usize, 0usize), |(n, size), f| {
            (n + 1, size + leb_len(f.byte_len()) + f.byte_len())
        });
        self.0.push(SectionId::Code as u8);
        (leb_len(count) + body).encode(&mut self.0);
        count.encode(&mut self.0);
        self.0.reserve(body);
        for f in functions {
            f.encode(&mut self.0);
        }
    }

    /// Appends the data section of `segments`, as `DataSection` encodes it.
    pub(crate) fn data(&mut self, segments: &[Segment<'_>]) {
        let mut heads = Vec::new();
        let mut ends = Vec::with_capacity(segments.len());
        for s in segments {
            match &s.active {
                None => heads.push(0x01),
                Some((0, offset)) => {
                    heads.push(0x00);
                    offset.encode(&mut heads);
                }
                Some((memory, offset)) => {
                    heads.push(0x02);
                    memory.encode(&mut heads);
                    offset.encode(&mut heads);
                }
            }
            s.data.len().encode(&mut heads);
            ends.push(heads.len());
        }
        let data: usize = segments.iter().map(|s| s.data.len()).sum();
        let body = heads.len() + data;
        self.0.push(SectionId::Data as u8);
        (leb_len(segments.len()) + body).encode(&mut self.0);
        segments.len().encode(&mut self.0);
        self.0.reserve(body);
        let mut start = 0;
        for (s, end) in segments.iter().zip(ends) {
            self.0.extend_from_slice(&heads[start..end]);
            self.0.extend_from_slice(s.data);
            start = end;
        }
    }

    /// The module's bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::{Output, Segment, leb_len};
    use wasm_encoder::{CodeSection, ConstExpr, DataSection, Function, Instruction, Module};

    #[test]
    fn leb_lengths() {
        for (n, len) in [(0, 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3)] {
            assert_eq!(leb_len(n), len, "{n}");
        }
    }

    /// The same bytes as `wasm-encoder`'s sections, around the sizes where
    /// a length's encoding grows.
    #[test]
    fn sections_encode_as_wasm_encoder_does() {
        let bytes: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
        for n in [0usize, 1, 3, 130] {
            let functions: Vec<Function> = (0..n)
                .map(|i| {
                    let mut f = Function::new([]);
                    for _ in 0..i * 7 {
                        f.instruction(&Instruction::Nop);
                    }
                    f.instruction(&Instruction::End);
                    f
                })
                .collect();
            let segments: Vec<Segment<'_>> = (0..n)
                .map(|i| Segment {
                    active: match i % 3 {
                        0 => None,
                        1 => Some((0, ConstExpr::i32_const(i as i32))),
                        _ => Some((1, ConstExpr::global_get(2))),
                    },
                    data: &bytes[..i * 150 % bytes.len()],
                })
                .collect();
            let mut code = CodeSection::new();
            let mut data = DataSection::new();
            for (f, s) in functions.iter().zip(&segments) {
                code.function(f);
                match &s.active {
                    None => data.passive(s.data.iter().copied()),
                    Some((m, o)) => data.active(*m, o, s.data.iter().copied()),
                };
            }
            let mut want = Module::new();
            want.section(&code).section(&data);
            let mut out = Output::with_capacity(0);
            out.code(functions.iter());
            out.data(&segments);
            assert_eq!(out.finish(), want.finish(), "{n} functions and segments");
        }
    }
}
