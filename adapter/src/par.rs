//! The per-function work of adapting, spread over the machine's cores:
//! validating function bodies and re-encoding them. Big plugins are
//! megabytes of code (CPython 18 MB, a JavaScript engine 12 MB); every other
//! step is small beside these, and each function is independent of the
//! others, as wasmparser's own parallel validation and wasmtime's parallel
//! compilation use.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmparser::{
    FuncToValidate, FuncValidatorAllocations, FunctionBody, Parser, ValidPayload, Validator,
    ValidatorResources, WasmFeatures,
};

/// Below this many functions, threads cost more than they save.
const MIN_PER_THREAD: usize = 256;

fn threads(items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    cores.min(8).min(items / MIN_PER_THREAD).max(1)
}

/// `f` over `items`, in order, on up to one thread per core; the first
/// error (in item order) wins, as a sequential loop's would. Threads take
/// the next item as they free up: function sizes are far from even (one
/// interpreter loop can be a tenth of a module).
pub(crate) fn map<T: Sync, U: Send, E: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<U, E> + Sync,
) -> Result<Vec<U>, E> {
    let n = threads(items.len());
    if n == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let parts: Vec<Vec<(usize, Result<U, E>)>> = std::thread::scope(|s| {
        let (f, next) = (&f, &next);
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let r = f(item);
                        let failed = r.is_err();
                        done.push((i, r));
                        if failed {
                            // Later items cannot change the outcome.
                            next.fetch_max(items.len(), Ordering::Relaxed);
                            break;
                        }
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut all: Vec<(usize, Result<U, E>)> = parts.into_iter().flatten().collect();
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// `Validator::validate_all`, with the function bodies validated in
/// parallel; the same result and, on error, the same first error.
pub(crate) fn validate(
    bytes: &[u8],
    features: WasmFeatures,
) -> Result<(), wasmparser::BinaryReaderError> {
    validate_structure(bytes, features)?.validate(|_| true)
}

/// One function body, with what validating it needs; taken when it is.
type Slot<'a> = Mutex<Option<(FuncToValidate<ValidatorResources>, FunctionBody<'a>)>>;

/// The function bodies of a module or component everything else of which
/// has been validated: each can be validated later, once.
pub(crate) struct Bodies<'a>(Vec<Slot<'a>>);

impl Bodies<'_> {
    /// Validates, in parallel, the bodies `check` names by their order (in
    /// the bytes, across all their modules) that have not been validated
    /// yet. The first error in that order wins.
    pub(crate) fn validate(
        &self,
        check: impl Fn(usize) -> bool,
    ) -> Result<(), wasmparser::BinaryReaderError> {
        let picked: Vec<&Slot<'_>> = (self.0.iter().enumerate())
            .filter(|(j, _)| check(*j))
            .map(|(_, slot)| slot)
            .collect();
        // One validator's allocations per thread would save a few small
        // allocations per function; per-function validators keep `map`
        // simple.
        map(&picked, |slot| {
            let taken = slot
                .lock()
                .map(|mut g| g.take())
                .unwrap_or_else(|mut poisoned| poisoned.get_mut().take());
            match taken {
                Some((f, body)) => {
                    let mut v = f.into_validator(FuncValidatorAllocations::default());
                    v.validate(&body)
                }
                None => Ok(()),
            }
        })?;
        Ok(())
    }
}

/// `Validator::validate_all` but for the function bodies, which it
/// returns, to validate later.
pub(crate) fn validate_structure(
    bytes: &[u8],
    features: WasmFeatures,
) -> Result<Bodies<'_>, wasmparser::BinaryReaderError> {
    let mut validator = Validator::new_with_features(features);
    let mut funcs = Vec::new();
    let mut parser = Parser::new(0);
    parser.set_features(features);
    for payload in parser.parse_all(bytes) {
        if let ValidPayload::Func(f, body) = validator.payload(&payload?)? {
            funcs.push(Mutex::new(Some((f, body))));
        }
    }
    Ok(Bodies(funcs))
}
