//! Which of the plugin's own functions the output keeps: those the glue
//! calls, those a table or a global can reach, and, transitively, what they
//! call. A guest export whose callback the host never receives (a hook the
//! plugin does not define, an HTTP or Redis call it never makes) goes, with
//! what only it reached. V8 in Envoy compiles all of a module before the
//! listener serves, so this is start-up time: 6–8% of a Rust plugin's code,
//! 16% of CPython's. Imports stay: the glue binds each one.

use super::malformed;
use crate::AdaptError;
use crate::copy::Instructions;
use wasmparser::{ConstExpr, ElementItems, FunctionBody, Operator, Payload, TableInit};

/// Per defined function (in order), whether it is kept. `bodies`: the
/// module's function bodies; `imports`: its function imports, which come
/// first in its index space; `roots`: the functions the glue calls;
/// `known`: what the first functions name, when linking found it (the
/// linker's own functions after them are scanned).
pub(super) fn live(
    sections: &[Payload<'_>],
    bodies: &[FunctionBody<'_>],
    imports: usize,
    roots: impl IntoIterator<Item = u32>,
    known: Option<&[Vec<u32>]>,
) -> Result<Vec<bool>, AdaptError> {
    let known = known.unwrap_or_default();
    let mut todo: Vec<u32> = roots.into_iter().collect();
    for payload in sections {
        match payload {
            Payload::ElementSection(r) => {
                for element in r.clone() {
                    match element.map_err(malformed)?.items {
                        ElementItems::Functions(fs) => {
                            for f in fs {
                                todo.push(f.map_err(malformed)?);
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for e in exprs {
                                referenced(&e.map_err(malformed)?, &mut todo)?;
                            }
                        }
                    }
                }
            }
            Payload::GlobalSection(r) => {
                for g in r.clone() {
                    referenced(&g.map_err(malformed)?.init_expr, &mut todo)?;
                }
            }
            Payload::TableSection(r) => {
                for t in r.clone() {
                    if let TableInit::Expr(e) = t.map_err(malformed)?.init {
                        referenced(&e, &mut todo)?;
                    }
                }
            }
            _ => {}
        }
    }
    // What each function names, every function at once on every core (a
    // big plugin is megabytes of code, nearly all of it reached).
    let scanned = crate::par::map(bodies.get(known.len()..).unwrap_or_default(), |body| {
        let mut named = Vec::new();
        let mut code = Instructions::new(body).map_err(malformed)?;
        while !code.eof() {
            if code.skip_scanned_run(&mut named) {
                continue;
            }
            match code.read().map_err(malformed)?.0 {
                Operator::Call { function_index }
                | Operator::ReturnCall { function_index }
                | Operator::RefFunc { function_index } => named.push(function_index),
                _ => {}
            }
        }
        Ok::<_, AdaptError>(named)
    })?;
    let named = |j: usize| known.get(j).or_else(|| scanned.get(j - known.len()));
    let mut live = vec![false; bodies.len()];
    while let Some(f) = todo.pop() {
        let Some(j) = (f as usize).checked_sub(imports) else {
            continue;
        };
        let (Some(seen), Some(named)) = (live.get_mut(j), named(j)) else {
            return Err(malformed(format!("function {f} does not exist")));
        };
        if !std::mem::replace(seen, true) {
            todo.extend(named);
        }
    }
    Ok(live)
}

/// The functions constant expression `e` takes a reference to.
fn referenced(e: &ConstExpr<'_>, todo: &mut Vec<u32>) -> Result<(), AdaptError> {
    for op in e.get_operators_reader() {
        if let Operator::RefFunc { function_index } = op.map_err(malformed)? {
            todo.push(function_index);
        }
    }
    Ok(())
}
