//! `data` blocks: their arguments evaluated and checked against the data source's schema,
//! and what reading them gave — or, while an argument is known only after apply, "known
//! after apply" — put where references read it. Reading is not done here (loading does no
//! I/O): a [`DataReads`] answers the reads made before, and the others are handed back as
//! requests for the caller to read and load again.

use super::body::check_names;
use super::decls::Decl;
use super::eval::{EachValue, ResourceValues, Scope};
use crate::diag::Diagnostic;
use crate::model::data::{DataAddress, DataId, DataInstance, DataRequest};
use crate::model::schema::AttrType;
use crate::model::{Map, Value};
use indexmap::IndexMap;

/// What data sources read earlier: `None` for a read not made yet; an error (e.g. "no
/// service is named ...") is the configuration's, reported at the block.
pub trait DataReads: Sync {
    fn read(&self, request: &DataRequest) -> Option<Result<Map, String>>;
}

/// No reads at all (`validate`, and loads that need no data): every result is unknown.
pub struct NoReads;

impl DataReads for NoReads {
    fn read(&self, _request: &DataRequest) -> Option<Result<Map, String>> {
        None
    }
}

/// What evaluating the data blocks found.
#[derive(Debug, Default)]
pub(crate) struct DataOut {
    pub instances: Vec<DataInstance>,
    /// Reads with every argument known that `reads` could not answer.
    pub wanted: Vec<DataRequest>,
}

/// Evaluates every instance of the data block `id` into `scope`.
pub(crate) fn evaluate(
    id: &DataId,
    decl: Decl<'_>,
    decls: &super::decls::Decls<'_>,
    scope: &mut Scope,
    reads: &dyn DataReads,
    diags: &mut Vec<Diagnostic>,
    out: &mut DataOut,
) {
    let dtype = id.dtype;
    let names: Vec<&str> = dtype
        .args()
        .iter()
        .map(|a| a.name)
        .chain(["for_each", "count", "provider"])
        .collect();
    check_names(
        decl.file,
        &decl.block.body,
        &format!("a `{dtype}` data source"),
        &names,
        &[],
        diags,
    );
    let body = &decl.block.body;
    let given: Vec<&str> = dtype
        .args()
        .iter()
        .map(|a| a.name)
        .filter(|n| body.has_attribute(n))
        .collect();
    let mut ok = true;
    if let Some(one_of) = dtype.one_of() {
        let chosen: Vec<&&str> = one_of.iter().filter(|n| given.contains(n)).collect();
        if chosen.len() != 1 {
            let listed: Vec<String> = one_of.iter().map(|n| format!("`{n}`")).collect();
            let help = if chosen.is_empty() {
                format!("e.g. `{} = \"...\"`", one_of[0])
            } else {
                "keep one of them".to_owned()
            };
            diags.push(
                Diagnostic::error(format!(
                    "`{id}` needs exactly one of {} to find what it reads",
                    listed.join(" or ")
                ))
                .at(decl.location())
                .help(help),
            );
            ok = false;
        }
    }
    for required in dtype.required() {
        if !given.contains(required) {
            diags.push(
                Diagnostic::error(format!(
                    "`{id}` is missing the required argument `{required}`"
                ))
                .at(decl.location())
                .help(format!("add `{required} = ...`")),
            );
            ok = false;
        }
    }
    let Some(instances) = super::resources::for_each(id, &decl, scope, diags).filter(|_| ok) else {
        scope.data.insert(id.clone(), ResourceValues::Failed);
        return;
    };
    let keyed = body.has_attribute("for_each") || body.has_attribute("count");
    let provider = super::settings::chosen_provider(&decl, decls, id, diags);
    let mut values: IndexMap<String, Option<Map>> = IndexMap::new();
    let mut targets = Vec::new();
    for (key, each) in instances {
        let address = DataAddress {
            id: id.clone(),
            key: key.clone(),
        };
        let value = instance(
            &address,
            provider.as_ref(),
            decl,
            scope,
            each.as_ref(),
            reads,
            diags,
            (out, &mut targets),
        );
        values.insert(key.unwrap_or_default(), value);
    }
    let values = if keyed {
        ResourceValues::Each(values)
    } else {
        ResourceValues::Single(values.into_values().next().flatten())
    };
    scope.data.insert(id.clone(), values);
    targets.sort_by(|a, b| a.resource.cmp(&b.resource));
    targets.dedup_by(|a, b| a.resource == b.resource && a.key == b.key && a.attr == b.attr);
    scope.data_reads.insert(id.clone(), targets);
}

/// One instance: its arguments, and what it reads (`None` when it failed, reported).
#[allow(clippy::too_many_arguments)]
fn instance(
    address: &DataAddress,
    provider: Option<&String>,
    decl: Decl<'_>,
    scope: &Scope,
    each: Option<&EachValue>,
    reads: &dyn DataReads,
    diags: &mut Vec<Diagnostic>,
    (out, targets): (&mut DataOut, &mut Vec<crate::model::RefTarget>),
) -> Option<Map> {
    let dtype = address.id.dtype;
    let mut args = Map::with_capacity(dtype.args().len());
    let mut failed = false;
    for arg in dtype.args() {
        let Some(attr) = decl.block.body.get_attribute(arg.name) else {
            args.insert(arg.name, Value::Null);
            continue;
        };
        let Some(value) = scope.eval(&attr.value, each, decl.file, diags, targets) else {
            failed = true;
            continue;
        };
        let fits = match (&value, arg.ty) {
            (Value::Unknown | Value::Null, _) | (Value::String(_), AttrType::String) => true,
            (Value::Map(m), AttrType::StringMap) => m
                .values()
                .all(|v| matches!(v, Value::String(_) | Value::Unknown)),
            _ => false,
        };
        if !fits {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` of `{address}` must be {}, got {value}",
                    arg.name,
                    arg.ty.describe()
                ))
                .at(decl.file.span(attr.value.span())),
            );
            failed = true;
            continue;
        }
        args.insert(arg.name, value);
    }
    if failed {
        return None;
    }
    let known = args.values().all(Value::is_known);
    let mut value = args.clone();
    let read = known.then(|| {
        let request = DataRequest {
            address: address.clone(),
            args: args.clone(),
            provider: provider.cloned(),
        };
        let answer = reads.read(&request);
        if answer.is_none() {
            out.wanted.push(request);
        }
        answer
    });
    match read.flatten() {
        Some(Ok(result)) => {
            for (name, v) in &result {
                value.insert(name, v.clone());
            }
        }
        Some(Err(message)) => {
            diags.push(
                Diagnostic::error(format!("`{address}`: {message}"))
                    .at(decl.location())
                    .help("change the arguments so that the data source finds what it looks for"),
            );
            return None;
        }
        None => {
            // Not read yet: what the read gives is unknown (an argument not given, too: a
            // lookup by name gives the `id`).
            for name in dtype.attributes() {
                if value.get(name).is_none_or(Value::is_null) {
                    value.insert(*name, Value::Unknown);
                }
            }
        }
    }
    out.instances.push(DataInstance {
        address: address.clone(),
        args,
        read_now: known,
    });
    Some(value)
}
