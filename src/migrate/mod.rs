//! `vpcep migrate`: a Terraform configuration and its state moved to vpcep without touching
//! the cloud or the Terraform directory — the configuration converted
//! ([`crate::config::migrate`]), a vpcep state holding the same cloud IDs under the new
//! addresses, the values read from what stays in Terraform as variables, and `MIGRATION.md`
//! ([`report`]) saying what moved, what did not, and the two commands that finish the move.

mod report;
pub mod tfstate;

use crate::config::migrate::{self as convert, Conversion, Input, InputSource, Shape, TfSource};
use crate::diag::Diagnostic;
use crate::model::address::count_key;
use crate::model::{Address, RecordedResource, RecordedState, ResourceId};
use std::path::{Path, PathBuf};
use tfstate::{TfInstance, TfState};

/// A file to write: its name and text.
type NamedText = (String, String);

/// What to migrate and where to.
pub struct Request {
    pub tf_dir: PathBuf,
    /// Terraform's state file; `TF_DIR/terraform.tfstate` when `None`.
    pub state: Option<PathBuf>,
    /// Where the vpcep configuration goes; `vpcep/` beside `tf_dir` when `None`.
    pub out: Option<PathBuf>,
}

/// What a migration did, for the command's summary.
#[derive(Debug)]
pub struct Outcome {
    pub out: PathBuf,
    pub files: Vec<String>,
    /// Instances recorded in the new state.
    pub instances: usize,
    pub resources: usize,
    pub inputs: usize,
    /// Terraform addresses to remove from Terraform's state.
    pub state_rm: Vec<String>,
    pub left: usize,
    /// Problems of the converted configuration (`vpcep validate` would show them).
    pub attention: Vec<Diagnostic>,
}

/// The largest Terraform file or state read (256 MiB).
const MAX_INPUT: u64 = 256 << 20;

pub fn migrate(request: &Request) -> Result<Outcome, Vec<Diagnostic>> {
    let tf_dir = &request.tf_dir;
    let (sources, var_files) = read_terraform_dir(tf_dir)?;
    let state_path = request
        .state
        .clone()
        .unwrap_or_else(|| tf_dir.join("terraform.tfstate"));
    let state = read_state(&state_path)?;
    let conversion = convert::convert(&sources);
    if !conversion.errors.is_empty() {
        return Err(conversion.errors);
    }
    let out = out_dir(request)?;
    let mut notes = Vec::new();
    let recorded = recorded_state(&conversion, &state, &mut notes);
    let inputs: Vec<(Input, Option<serde_json::Value>)> = conversion
        .inputs
        .iter()
        .map(|i| (i.clone(), input_value(&state, i)))
        .collect();
    let mut files: Vec<(String, String)> = conversion.files.clone();
    if !inputs.is_empty() {
        files.push((
            "from_terraform.hcl".to_owned(),
            convert::variables_file(&inputs),
        ));
    }
    files.extend(var_files);
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        vec![
            Diagnostic::error(format!("cannot write {what}: {e}"))
                .help("check that the output directory is writable, then migrate again"),
        ]
    };
    std::fs::create_dir_all(&out).map_err(|e| fail(&out.display().to_string(), &e))?;
    for (name, text) in &files {
        let path = out.join(name);
        crate::fsio::write_atomic(&path, text.as_bytes())
            .map_err(|e| fail(&path.display().to_string(), &e))?;
    }
    let attention = check_converted(&out);
    let state_file = out.join("vpcep.state.json");
    crate::fsio::write_atomic(
        &state_file,
        crate::state::wire::encode(&recorded).as_bytes(),
    )
    .map_err(|e| fail(&state_file.display().to_string(), &e))?;
    let state_rm = state_rm_addresses(&conversion, &state);
    let context = report::Context {
        tf_dir,
        state_path: &state_path,
        state: &state,
        out: &out,
        conversion: &conversion,
        recorded: &recorded,
        inputs: &inputs,
        notes: &notes,
        state_rm: &state_rm,
        attention: &attention,
    };
    let markdown = report::markdown(&context);
    let migration = out.join("MIGRATION.md");
    crate::fsio::write_atomic(&migration, markdown.as_bytes())
        .map_err(|e| fail(&migration.display().to_string(), &e))?;
    let mut written: Vec<String> = files.into_iter().map(|(name, _)| name).collect();
    written.push("vpcep.state.json".to_owned());
    written.push("MIGRATION.md".to_owned());
    Ok(Outcome {
        out,
        files: written,
        instances: recorded.resources.len(),
        resources: conversion.moved.len(),
        inputs: inputs.len(),
        state_rm,
        left: conversion.left.len(),
        attention,
    })
}

/// The `*.tf` files (sorted), and the variable files as vpcep names them
/// (`terraform.tfvars` → `vpcep.vars`, `NAME.auto.tfvars` → `NAME.auto.vars`).
fn read_terraform_dir(dir: &Path) -> Result<(Vec<TfSource>, Vec<NamedText>), Vec<Diagnostic>> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| {
            vec![Diagnostic::error(format!(
            "cannot read the Terraform directory `{}`: {e}",
            dir.display()
        ))
        .help("pass the directory that holds the *.tf files: `vpcep migrate path/to/terraform`")]
        })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let json: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(".tf.json") || n.ends_with(".tfvars.json"))
        .collect();
    if let Some(first) = json.first() {
        return Err(vec![
            Diagnostic::error(format!(
                "`{}` is Terraform's JSON syntax, which vpcep migrate does not read",
                dir.join(first).display()
            ))
            .help("write it as HCL (`*.tf`, `*.tfvars`), or move it out of the directory if it holds no VPCEP resources, then migrate again"),
        ]);
    }
    let read = |name: &str| {
        crate::fsio::read_text(&dir.join(name), MAX_INPUT, "Terraform file").map_err(|e| {
            vec![Diagnostic::error(format!(
                "cannot read `{}`: {e}",
                dir.join(name).display()
            ))]
        })
    };
    let mut sources = Vec::new();
    let mut var_files = Vec::new();
    for name in &names {
        if Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
        {
            sources.push(TfSource {
                name: name.clone(),
                text: read(name)?,
            });
        } else if name == "terraform.tfvars" {
            var_files.push(("vpcep.vars".to_owned(), read(name)?));
        } else if let Some(stem) = name.strip_suffix(".auto.tfvars") {
            var_files.push((format!("{stem}.auto.vars"), read(name)?));
        }
    }
    if sources.is_empty() {
        return Err(vec![
            Diagnostic::error(format!("`{}` holds no `*.tf` files", dir.display()))
                .help("pass the directory of the Terraform configuration to migrate"),
        ]);
    }
    Ok((sources, var_files))
}

fn read_state(path: &Path) -> Result<TfState, Vec<Diagnostic>> {
    let text = crate::fsio::read_text(path, MAX_INPUT, "Terraform state").map_err(|e| {
        vec![Diagnostic::error(format!(
            "cannot read Terraform's state `{}`: {e}",
            path.display()
        ))
        .help("when the state lives in a remote backend, run `terraform state pull > terraform.tfstate` in the Terraform directory and pass it with `--state terraform.tfstate`")]
    })?;
    TfState::parse(&text).map_err(|e| {
        vec![
            Diagnostic::error(format!("`{}`: {e}", path.display()))
                .help("pass the file `terraform state pull` prints with `--state FILE`"),
        ]
    })
}

/// The output directory: new or empty, and not the Terraform directory itself.
fn out_dir(request: &Request) -> Result<PathBuf, Vec<Diagnostic>> {
    let tf = std::path::absolute(&request.tf_dir).unwrap_or_else(|_| request.tf_dir.clone());
    let tf = std::fs::canonicalize(&tf).unwrap_or(tf);
    let out = match &request.out {
        Some(out) => out.clone(),
        None => tf
            .parent()
            .map_or_else(|| PathBuf::from("vpcep"), |p| p.join("vpcep")),
    };
    let absolute = std::path::absolute(&out).unwrap_or_else(|_| out.clone());
    let resolved = std::fs::canonicalize(&absolute).unwrap_or(absolute);
    if resolved.starts_with(&tf) {
        return Err(vec![
            Diagnostic::error(format!(
                "the output directory `{}` is inside the Terraform directory; the migration never writes there",
                out.display()
            ))
            .help("choose another with `--out DIR`"),
        ]);
    }
    if let Ok(mut entries) = std::fs::read_dir(&out)
        && entries.next().is_some()
    {
        return Err(vec![
            Diagnostic::error(format!(
                "the output directory `{}` is not empty; the migration writes only into a new or empty directory",
                out.display()
            ))
            .help("remove it, or choose another with `--out DIR`"),
        ]);
    }
    Ok(out)
}

/// The vpcep address of a Terraform instance of a moved resource.
fn address(moved: &convert::MovedResource, instance: &TfInstance) -> Address {
    let key = match &instance.index_key {
        Some(serde_json::Value::String(k)) => Some(k.clone()),
        Some(serde_json::Value::Number(n)) => n.as_u64().map(count_key),
        _ => None,
    };
    Address::new(
        ResourceId {
            rtype: moved.kind.rtype,
            name: moved.name.clone(),
        },
        key,
    )
}

/// The vpcep state: every instance of a moved resource with its cloud ID, serial 1 and a new
/// lineage; what cannot be recorded is noted.
fn recorded_state(
    conversion: &Conversion,
    state: &TfState,
    notes: &mut Vec<String>,
) -> RecordedState {
    let mut recorded = RecordedState::new();
    let moved_id = |tf_address: &str| {
        let (t, n) = tf_address.split_once('.')?;
        conversion
            .moved
            .iter()
            .find(|m| m.tf_type == t && m.name == n)
            .map(|m| ResourceId {
                rtype: m.kind.rtype,
                name: m.name.clone(),
            })
    };
    for moved in &conversion.moved {
        let Some(resource) = state.find("managed", &moved.tf_type, &moved.name) else {
            notes.push(format!(
                "`{}.{}` is not in Terraform's state: `vpcep plan` will create it",
                moved.tf_type, moved.name
            ));
            continue;
        };
        for instance in resource.current() {
            let address = address(moved, instance);
            let Some(id) = instance.id().filter(|id| !id.is_empty()) else {
                notes.push(format!(
                    "`{address}` has no ID in Terraform's state: `vpcep plan` will create it"
                ));
                continue;
            };
            if instance.status.as_deref() == Some("tainted") {
                notes.push(format!(
                    "`{address}` is tainted in Terraform; vpcep keeps it (to recreate it, plan with `--replace '{address}'`)"
                ));
            }
            let mut depends_on: Vec<ResourceId> = instance
                .dependencies
                .iter()
                .filter_map(|d| moved_id(d))
                .collect();
            depends_on.sort();
            depends_on.dedup();
            recorded.resources.insert(
                address.clone(),
                RecordedResource {
                    address,
                    id: id.to_owned(),
                    attrs: tfstate::recorded_attrs(moved.kind, &instance.attributes),
                    depends_on,
                    sensitive: Vec::new(),
                    provider: resource.provider_alias().map(|a| format!("otc.{a}")),
                },
            );
        }
    }
    for r in &state.resources {
        if let (Some(module), Some(_)) = (&r.module, convert::kinds::kind(&r.tf_type)) {
            notes.push(format!(
                "`{module}.{}.{}` is inside a module, which stays in Terraform",
                r.tf_type, r.name
            ));
        }
    }
    // The outputs as Terraform last recorded them (`vpcep output` answers before the first
    // apply); the configuration's outputs read the same objects.
    for (name, output) in &state.outputs {
        recorded.outputs.insert(
            name.clone(),
            crate::model::RecordedOutput {
                value: crate::model::Value::from_json(&output.value),
                sensitive: output.sensitive,
            },
        );
    }
    recorded.serial = 1;
    recorded.sort();
    recorded
}

/// The Terraform addresses of the moved instances, for `terraform state rm`.
fn state_rm_addresses(conversion: &Conversion, state: &TfState) -> Vec<String> {
    conversion
        .moved
        .iter()
        .filter(|m| state.find("managed", &m.tf_type, &m.name).is_some())
        .map(|m| format!("{}.{}", m.tf_type, m.name))
        .collect()
}

/// The value Terraform's state records for what an input reads; `None` when it has none (or
/// it is sensitive, which never goes into a file).
fn input_value(state: &TfState, input: &Input) -> Option<serde_json::Value> {
    let (mode, tf_type, name) = match &input.source {
        InputSource::Resource { tf_type, name } => ("managed", tf_type, name),
        InputSource::Data { tf_type, name } => ("data", tf_type, name),
        InputSource::Module { .. } => return None,
    };
    let resource = state.find(mode, tf_type, name)?;
    let read = |i: &TfInstance| -> Option<serde_json::Value> {
        match &input.attr {
            Some(a) if i.is_sensitive(a) => None,
            Some(a) => i.attributes.get(a).cloned(),
            None if !i.sensitive_attributes.is_empty() => None,
            None => Some(serde_json::Value::Object(i.attributes.clone())),
        }
    };
    let instances: Vec<&TfInstance> = resource.current().collect();
    match input.shape {
        Shape::One => read(instances.first()?),
        Shape::All => instances
            .iter()
            .map(|i| read(i))
            .collect::<Option<Vec<_>>>()
            .map(serde_json::Value::Array),
        Shape::Each => {
            let numbered = instances
                .iter()
                .all(|i| matches!(i.index_key, Some(serde_json::Value::Number(_))));
            if numbered {
                let mut sorted = instances.clone();
                sorted.sort_by_key(|i| i.index_key.as_ref().and_then(serde_json::Value::as_u64));
                sorted
                    .iter()
                    .map(|i| read(i))
                    .collect::<Option<Vec<_>>>()
                    .map(serde_json::Value::Array)
            } else {
                let mut map = serde_json::Map::new();
                for i in instances {
                    let key = i.index_key.as_ref()?.as_str()?.to_owned();
                    map.insert(key, read(i)?);
                }
                Some(serde_json::Value::Object(map))
            }
        }
    }
}

/// The problems `vpcep validate` would find in the written configuration (credentials and
/// other variables without a value are not problems here).
fn check_converted(dir: &Path) -> Vec<Diagnostic> {
    let loaded = crate::config::load(&crate::config::LoadOptions {
        dir: dir.to_path_buf(),
        ..Default::default()
    });
    loaded
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .filter(|d| !d.message.starts_with("no value for variable"))
        .collect()
}
