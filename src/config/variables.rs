//! Input variables: their declarations and the value each one takes.
//!
//! Precedence, lowest first: `default`, the environment (`VPCEP_VAR_<name>`), the
//! configuration directory's `vpcep.vars`, then its `*.auto.vars` in name order, then `--var`
//! and `--var-file` in the order given on the command line (later wins) — Terraform's order for
//! `terraform.tfvars`, `*.auto.tfvars` and `-var`/`-var-file`, under vpcep's names.

use super::body::{check_names, suggestion};
use super::decls::Decls;
use super::files::parse;
use super::syntax::Structure;
use super::types::TypeConstraint;
use super::{VarArg, constant};
use crate::diag::{Diagnostic, SourceFile};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The prefix of environment variables that set input variables.
pub const ENV_PREFIX: &str = "VPCEP_VAR_";

/// Terraform's prefix for the same, which vpcep does not read (and says so).
pub const TF_ENV_PREFIX: &str = "TF_VAR_";

/// The variables file read from the configuration directory without being named.
pub(crate) const AUTO_FILE: &str = "vpcep.vars";

/// The variables files one command reads, each read from disk once however often the command
/// evaluates the configuration (settings, plan, replacements, apply): every evaluation sees
/// the same values, even if a file changes while the command runs. Clones share the texts.
#[derive(Debug, Clone, Default)]
pub struct VarFiles(Arc<Mutex<HashMap<PathBuf, FileText>>>);

/// A variables file's text, or why it could not be read.
type FileText = Result<Arc<str>, String>;

impl VarFiles {
    /// The text of `path`, read on first use.
    fn read(&self, path: &Path) -> FileText {
        let mut held = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        held.entry(path.to_owned())
            .or_insert_with(|| {
                crate::fsio::read_text(path, crate::fsio::MAX_VAR_FILE, "the variables file")
                    .map(Arc::from)
                    .map_err(|e| e.message)
            })
            .clone()
    }
}

/// The variables files of `dir` read without being named: `vpcep.vars`, then every
/// `*.auto.vars` in name order; and a warning for each file of Terraform's that would be
/// read by Terraform but not by vpcep.
pub(crate) fn auto_files(dir: &std::path::Path, diags: &mut Vec<Diagnostic>) -> Vec<VarArg> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut out = Vec::new();
    if names.iter().any(|n| n == AUTO_FILE) {
        out.push(VarArg::File(dir.join(AUTO_FILE)));
    }
    for name in &names {
        if name.ends_with(".auto.vars") && !name.starts_with('.') {
            out.push(VarArg::File(dir.join(name)));
        }
    }
    let terraform: Vec<String> = names
        .iter()
        .filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
                && !n.starts_with('.')
        })
        .map(|n| format!("`{n}`"))
        .collect();
    let has_hcl = names.iter().any(|n| {
        std::path::Path::new(n)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("hcl"))
    });
    if !terraform.is_empty() && has_hcl {
        diags.push(
            Diagnostic::warning(format!(
                "vpcep reads `*.hcl` files; {} {} not read",
                terraform.join(", "),
                if terraform.len() == 1 { "is" } else { "are" }
            ))
            .help("rename a file to `*.hcl` if it is part of this configuration, or move it away"),
        );
    }
    for name in &names {
        let instead = if name == "terraform.tfvars" || name == "terraform.tfvars.json" {
            AUTO_FILE.to_owned()
        } else if let Some(stem) = name
            .strip_suffix(".auto.tfvars")
            .or_else(|| name.strip_suffix(".auto.tfvars.json"))
        {
            format!("{stem}.auto.vars")
        } else {
            continue;
        };
        diags.push(
            Diagnostic::warning(format!(
                "`{name}` is Terraform's variables file; vpcep does not read it"
            ))
            .help(format!(
                "rename it to `{instead}` (read automatically), or pass it with `--var-file {name}`"
            )),
        );
    }
    out
}

struct Declared {
    ty: TypeConstraint,
    value: Option<hcl::Value>,
    /// `nullable = false`: a null given is replaced by the default, or refused.
    not_null: bool,
    default: Option<hcl::Value>,
}

/// The value of every declared variable (`None` where no valid value was found, the problem
/// reported), and the diagnostics of variables that have no value at all, which the caller
/// reports where the value is needed.
pub(crate) struct Resolved {
    pub values: IndexMap<String, Option<hcl::Value>>,
    pub missing: Vec<(String, Diagnostic)>,
}

/// Where a variable's value comes from besides its default: `VPCEP_VAR_*` (Terraform's
/// `TF_VAR_*` are named, not read), then `--var` and `--var-file` in command-line order, each
/// as `(name, value or why not, the source for messages)`.
fn overrides(
    declared: &IndexMap<String, Declared>,
    args: &[VarArg],
    env: &[(String, String)],
    var_files: &VarFiles,
    extra_files: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Result<hcl::Value, String>, String)> {
    let names: Vec<&str> = declared.keys().map(String::as_str).collect();
    let mut overrides: Vec<(String, Result<hcl::Value, String>, String)> = Vec::new();
    for (key, _) in env {
        if let Some(name) = key.strip_prefix(TF_ENV_PREFIX)
            && declared.contains_key(name)
            && !env
                .iter()
                .any(|(k, _)| k.strip_prefix(ENV_PREFIX) == Some(name))
        {
            diags.push(
                Diagnostic::warning(format!(
                    "the environment variable `{key}` is Terraform's; vpcep does not read it"
                ))
                .help(format!(
                    "set `{ENV_PREFIX}{name}` instead (or pass `--var {name}=VALUE`)"
                )),
            );
        }
    }
    for (key, raw) in env {
        if let Some(name) = key.strip_prefix(ENV_PREFIX)
            && let Some(d) = declared.get(name)
        {
            overrides.push((
                name.to_owned(),
                from_text(&d.ty, raw),
                format!("environment variable `{key}`"),
            ));
        }
    }
    for (i, arg) in args.iter().enumerate() {
        match arg {
            VarArg::Assign(text) => {
                let Some((name, raw)) = text.split_once('=') else {
                    diags.push(
                        Diagnostic::error(format!("`--var {text}` is not of the form NAME=VALUE"))
                            .help("write it as `--var region=eu-de`"),
                    );
                    continue;
                };
                let Some(d) = declared.get(name) else {
                    diags.push(
                        Diagnostic::error(format!(
                            "`--var {name}=...` sets a variable that is not declared"
                        ))
                        .help_opt(suggestion(name, &names).or_else(
                            || Some(format!("declare it with `variable \"{name}\" {{}}`")),
                        )),
                    );
                    continue;
                };
                overrides.push((
                    name.to_owned(),
                    from_text(&d.ty, raw),
                    format!("`--var {name}=...`"),
                ));
            }
            VarArg::File(path) => {
                read_var_file(
                    var_files,
                    path,
                    extra_files + i,
                    declared,
                    &names,
                    &mut overrides,
                    diags,
                );
            }
        }
    }
    overrides
}

/// A `variable` block checked: its attributes and validations, its type, and its default
/// (converted to the type; null refused when it is not nullable).
fn declare(name: &str, decl: &super::decls::Decl<'_>, diags: &mut Vec<Diagnostic>) -> Declared {
    let body = &decl.block.body;
    check_names(
        decl.file,
        body,
        "a `variable` block",
        &["type", "default", "description", "sensitive", "nullable"],
        &["validation"],
        diags,
    );
    for v in body.get_blocks("validation") {
        check_names(
            decl.file,
            &v.body,
            "a `validation` block",
            &["condition", "error_message"],
            &[],
            diags,
        );
        for required in ["condition", "error_message"] {
            if !v.body.has_attribute(required) {
                diags.push(
                    Diagnostic::error(format!(
                        "the `validation` block of variable `{name}` has no `{required}`"
                    ))
                    .at(decl.file.span(v.ident.span()))
                    .help("write `condition = <a bool expression of var.NAME>` and `error_message = \"...\"`"),
                );
            }
        }
    }
    let mut ty = TypeConstraint::Any;
    if let Some(attr) = body.get_attribute("type") {
        match attr.value.hcl().map_or_else(
            || Err("a type must be written as a type keyword".to_owned()),
            TypeConstraint::parse,
        ) {
            Ok(t) => ty = t,
            Err(e) => diags.push(
                Diagnostic::error(format!("invalid type for variable `{name}`: {e}"))
                    .at(decl.file.span(attr.value.span()))
                    .help("use string, number, bool, any, list(TYPE), set(TYPE), map(TYPE), object({ NAME = TYPE, NAME = optional(TYPE, DEFAULT) }) or tuple([TYPE, ...])"),
            ),
        }
    }
    let mut value = None;
    if let Some(attr) = body.get_attribute("default") {
        match constant(&attr.value).and_then(|v| ty.convert(v)) {
            Ok(v) => value = Some(v),
            Err(e) => diags.push(
                Diagnostic::error(format!("invalid default for variable `{name}`: {e}"))
                    .at(decl.file.span(attr.value.span())),
            ),
        }
    }
    for flag in ["sensitive", "nullable"] {
        if let Some(attr) = body.get_attribute(flag)
            && !matches!(constant(&attr.value), Ok(hcl::Value::Bool(_)))
        {
            diags.push(
                Diagnostic::error(format!("`{flag}` must be true or false"))
                    .at(decl.file.span(attr.value.span())),
            );
        }
    }
    let not_null = body
        .get_attribute("nullable")
        .is_some_and(|a| matches!(constant(&a.value), Ok(hcl::Value::Bool(false))));
    if not_null && matches!(value, Some(hcl::Value::Null)) {
        diags.push(
            Diagnostic::error(format!(
                "variable `{name}` is not nullable, but its default is null"
            ))
            .at(decl.location())
            .help("give it a non-null default, or remove `nullable = false`"),
        );
    }
    Declared {
        ty,
        default: value.clone(),
        value,
        not_null,
    }
}

/// Resolves the value of every declared variable.
pub(crate) fn resolve(
    decls: &Decls<'_>,
    args: &[VarArg],
    env: &[(String, String)],
    var_files: &VarFiles,
    extra_files: usize,
    diags: &mut Vec<Diagnostic>,
) -> Resolved {
    let mut declared: IndexMap<String, Declared> = decls
        .variables
        .iter()
        .map(|(name, decl)| (name.clone(), declare(name, decl, diags)))
        .collect();

    let overrides = overrides(&declared, args, env, var_files, extra_files, diags);
    let mut invalid: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (name, value, source) in overrides {
        let d = &mut declared[&name];
        match value.and_then(|v| d.ty.convert(v)) {
            // Null for a variable that is not nullable: its default, as Terraform does.
            Ok(hcl::Value::Null) if d.not_null => {
                if let Some(default) = &d.default {
                    d.value = Some(default.clone());
                } else {
                    diags.push(
                        Diagnostic::error(format!(
                            "variable `{name}` is not nullable, but {source} sets it to null"
                        ))
                        .at(decls.variables[&name].location())
                        .help("give it a value, or declare it with `nullable = true`"),
                    );
                    invalid.insert(name);
                }
            }
            Ok(v) => d.value = Some(v),
            Err(e) => {
                if !e.is_empty() {
                    diags.push(Diagnostic::error(format!(
                        "invalid value for variable `{name}` from {source}: {e}"
                    )));
                }
                invalid.insert(name);
            }
        }
    }

    let mut values = IndexMap::new();
    let mut missing = Vec::new();
    for (name, d) in declared {
        if d.value.is_none() {
            let decl = &decls.variables[&name];
            let already_reported =
                decl.block.body.get_attribute("default").is_some() || invalid.contains(&name);
            if !already_reported {
                missing.push((
                    name.clone(),
                    Diagnostic::error(format!("no value for variable `{name}`"))
                        .at(decl.location())
                        .help(format!(
                            "set it with `--var {name}=VALUE`, in a `--var-file`, with the environment variable `{ENV_PREFIX}{name}`, or give it a `default`"
                        )),
                ));
            }
        }
        values.insert(name, d.value);
    }
    Resolved { values, missing }
}

/// A value written as text (command line, environment): primitives are taken as strings,
/// collections are parsed as HCL expressions, e.g. `{ a = "x" }` or `["a", "b"]`.
fn from_text(ty: &TypeConstraint, raw: &str) -> Result<hcl::Value, String> {
    if ty.is_primitive() {
        return Ok(hcl::Value::String(raw.to_owned()));
    }
    let expr = hcl::edit::parser::parse_expr(raw)
        .map_err(|e| format!("cannot parse `{raw}` as an HCL value: {}", e.message()))?;
    constant(&super::syntax::Expr::from_hcl(expr))
}

fn read_var_file(
    var_files: &VarFiles,
    path: &Path,
    index: usize,
    declared: &IndexMap<String, Declared>,
    names: &[&str],
    overrides: &mut Vec<(String, Result<hcl::Value, String>, String)>,
    diags: &mut Vec<Diagnostic>,
) {
    let display = path.display().to_string();
    let text = match var_files.read(path) {
        Ok(t) => t,
        Err(message) => {
            diags.push(Diagnostic::error(message).help(
                "check the path given to `--var-file`; a relative path is inside the configuration directory (the one `-C` names)",
            ));
            return;
        }
    };
    let source = SourceFile::new(display.clone(), text, index);
    let Some(body) = parse(&source, diags) else {
        return;
    };
    for structure in &body {
        match structure {
            Structure::Attribute(attr) => {
                let name = attr.key.as_str();
                let at = source.span(attr.key.span());
                let Some(d) = declared.get(name) else {
                    diags.push(
                        Diagnostic::warning(format!(
                            "`{display}` sets `{name}`, which no `variable` block declares"
                        ))
                        .at(at)
                        .help_opt(suggestion(name, names)),
                    );
                    continue;
                };
                match constant(&attr.value).and_then(|v| d.ty.convert(v)) {
                    Ok(v) => overrides.push((name.to_owned(), Ok(v), display.clone())),
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(format!("invalid value for variable `{name}`: {e}"))
                                .at(source.span(attr.value.span())),
                        );
                        // Recorded as given-but-invalid, so it is not also reported missing.
                        overrides.push((name.to_owned(), Err(String::new()), display.clone()));
                    }
                }
            }
            Structure::Block(block) => diags.push(
                Diagnostic::error("a variables file holds only `NAME = VALUE` attributes")
                    .at(source.span(block.ident.span())),
            ),
        }
    }
}

/// Checks every `validation` block of the variables that have a value: a condition that is
/// false is an error with its `error_message`, at the condition. A condition reads variables
/// only (Terraform's rule), and must be a bool.
pub(crate) fn check_validations(
    decls: &Decls<'_>,
    scope: &super::eval::Scope,
    diags: &mut Vec<Diagnostic>,
) {
    for (name, decl) in &decls.variables {
        if !scope.vars.get(name).is_some_and(Option::is_some) {
            continue; // no value: reported where it is needed
        }
        for v in decl.block.body.get_blocks("validation") {
            let (Some(condition), Some(message)) = (
                v.body.get_attribute("condition"),
                v.body.get_attribute("error_message"),
            ) else {
                continue; // reported above
            };
            let at = decl.file.span(condition.value.span());
            let other = condition.value.hcl().and_then(|e| {
                let refs = super::refs::Refs::of(e);
                refs.found
                    .iter()
                    .find_map(|r| match &r.kind {
                        super::refs::RefKind::Var(_) | super::refs::RefKind::Path => None,
                        super::refs::RefKind::Local(n) => Some(format!("local.{n}")),
                        super::refs::RefKind::Each => Some("each".to_owned()),
                        super::refs::RefKind::Count => Some("count".to_owned()),
                        super::refs::RefKind::SelfRef => Some("self".to_owned()),
                        super::refs::RefKind::Module { name, .. } => Some(format!("module.{name}")),
                        super::refs::RefKind::Resource { id, .. } => Some(id.to_string()),
                        super::refs::RefKind::Data { id, .. } => Some(id.to_string()),
                    })
                    .or_else(|| refs.unknown_roots.first().map(|(n, _)| n.clone()))
            });
            if let Some(other) = other {
                diags.push(
                    Diagnostic::error(format!(
                        "the validation of variable `{name}` refers to `{other}`; a condition may refer only to variables"
                    ))
                    .at(at)
                    .help(format!("write the condition with `var.{name}` (and other variables)")),
                );
                continue;
            }
            let mut own = Vec::new();
            let value = scope.eval(&condition.value, None, decl.file, &mut own, &mut Vec::new());
            let text = |e: &super::syntax::Expr, own: &mut Vec<Diagnostic>| match scope.eval(
                e,
                None,
                decl.file,
                own,
                &mut Vec::new(),
            ) {
                Some(crate::model::Value::String(s)) => s.to_string(),
                _ => "(the error message cannot be evaluated)".to_owned(),
            };
            match value {
                Some(crate::model::Value::Bool(true)) => {}
                Some(crate::model::Value::Bool(false)) => {
                    let message = if scope.is_sensitive(&message.value) {
                        super::resources::SENSITIVE_MESSAGE.to_owned()
                    } else {
                        text(&message.value, &mut own)
                    };
                    diags.push(
                        Diagnostic::error(format!(
                            "invalid value for variable `{name}`: {message}"
                        ))
                        .at(at)
                        .note("this was checked by the validation rule here"),
                    );
                }
                Some(other) => diags.push(
                    Diagnostic::error(format!(
                        "the validation condition of variable `{name}` is a {}, not a bool",
                        other.type_name()
                    ))
                    .at(at)
                    .help("a condition is a bool expression, e.g. `length(var.name) <= 16`"),
                ),
                None => {
                    if own.is_empty() {
                        diags.push(
                            Diagnostic::error(format!(
                                "the validation condition of variable `{name}` cannot be evaluated"
                            ))
                            .at(at),
                        );
                    }
                    diags.extend(own);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluations that share a command's [`VarFiles`] see a variables file as it was first
    /// read, even if it changes in between; a new command reads it again.
    #[test]
    fn a_command_reads_each_variables_file_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.hcl"),
            "variable \"team\" {\n  type = string\n}\noutput \"team\" {\n  value = var.team\n}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("vpcep.vars"), "team = \"payments\"\n").unwrap();
        let options = crate::config::LoadOptions {
            dir: dir.path().to_path_buf(),
            ..crate::config::LoadOptions::default()
        };
        let team = |options: &crate::config::LoadOptions| {
            let loaded = crate::config::load(options);
            assert_eq!(loaded.errors(), 0, "{:?}", loaded.diagnostics);
            loaded.variables["team"].clone()
        };
        assert_eq!(
            team(&options),
            crate::model::Value::String("payments".into())
        );
        std::fs::write(dir.path().join("vpcep.vars"), "team = \"search\"\n").unwrap();
        assert_eq!(
            team(&options),
            crate::model::Value::String("payments".into())
        );
        let next_command = crate::config::LoadOptions {
            var_files: VarFiles::default(),
            ..options
        };
        assert_eq!(
            team(&next_command),
            crate::model::Value::String("search".into())
        );
    }
}
