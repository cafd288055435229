//! The top level of a configuration: which variables, locals, resources, outputs, provider and
//! backend are declared where. Duplicates and unknown blocks are reported here.

use super::body::{header_span, suggestion};
use super::files::ParsedFile;
use super::syntax::{Attribute, Block, Structure};
use crate::diag::{Diagnostic, Location, SourceFile};
use crate::model::data::{DataId, DataType};
use crate::model::{ResourceId, ResourceType};
use indexmap::IndexMap;

/// A labelled block and the file it is in.
#[derive(Clone, Copy)]
pub(crate) struct Decl<'a> {
    pub file: &'a SourceFile,
    pub block: &'a Block,
}

impl Decl<'_> {
    /// Where the block's header is, for diagnostics about the block as a whole.
    pub(crate) fn location(&self) -> Option<Location> {
        self.file.span(header_span(self.block))
    }

    /// `file:line` of the block, for notes.
    pub(crate) fn position(&self) -> String {
        header_span(self.block).map_or_else(
            || self.file.display.clone(),
            |span| format!("{}:{}", self.file.display, self.file.line(&span)),
        )
    }

    pub(crate) fn label(&self, i: usize) -> &str {
        self.block.labels.get(i).map_or("", |l| l.as_str())
    }
}

#[derive(Clone, Copy)]
pub(crate) struct LocalDecl<'a> {
    pub file: &'a SourceFile,
    pub attr: &'a Attribute,
}

#[derive(Default)]
pub(crate) struct Decls<'a> {
    pub variables: IndexMap<String, Decl<'a>>,
    pub locals: IndexMap<String, LocalDecl<'a>>,
    /// The `provider` block without an `alias`: the default one.
    pub provider: Option<Decl<'a>>,
    /// The `provider` blocks with an `alias`, in the order they are declared.
    pub aliased: Vec<Decl<'a>>,
    pub backend: Option<Decl<'a>>,
    pub resources: IndexMap<ResourceId, Decl<'a>>,
    pub data: IndexMap<DataId, Decl<'a>>,
    pub outputs: IndexMap<String, Decl<'a>>,
    /// `moved`, `removed` and `import` blocks, in the order they are written.
    pub refactors: Vec<Decl<'a>>,
    /// `module "NAME"` calls.
    pub modules: IndexMap<String, Decl<'a>>,
    /// `check "NAME"` blocks (their `data` blocks are collected with the others).
    pub checks: IndexMap<String, Decl<'a>>,
}

const TOP_LEVEL: &[&str] = &[
    "variable", "locals", "provider", "backend", "resource", "data", "output", "module", "moved",
    "removed", "import", "check",
];
const PROVIDERS: &[&str] = &["sim", "otc"];
const BACKENDS: &[&str] = &["local", "pg"];

/// A name usable after `var.`, `local.` or a resource type: a letter or `_`, then letters,
/// digits, `_` or `-`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub(crate) fn collect<'a>(files: &'a [ParsedFile], diags: &mut Vec<Diagnostic>) -> Decls<'a> {
    let mut decls = Decls::default();
    for file in files {
        let source = &file.source;
        for structure in &file.body {
            match structure {
                Structure::Attribute(attr) => diags.push(
                    Diagnostic::error(format!(
                        "unexpected attribute `{}` at the top level",
                        attr.key.as_str()
                    ))
                    .at(source.span(attr.key.span()))
                    .help("put it in a `locals { ... }` block, or in the block it belongs to"),
                ),
                Structure::Block(block) => collect_block(&mut decls, source, block, diags),
            }
        }
    }
    decls
}

/// One top-level block, checked for its labels and filed by kind.
fn collect_block<'a>(
    decls: &mut Decls<'a>,
    file: &'a SourceFile,
    block: &'a Block,
    diags: &mut Vec<Diagnostic>,
) {
    let decl = Decl { file, block };
    let kind = block.ident.as_str();
    let expected_labels = match kind {
        "variable" | "provider" | "backend" | "output" | "module" | "check" => 1,
        "locals" | "moved" | "removed" | "import" => 0,
        "resource" | "data" => 2,
        _ => {
            let help = if kind == "terraform" {
                Some(format!(
                    "`{kind}` blocks are Terraform's; vpcep knows {}",
                    TOP_LEVEL
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            } else {
                suggestion(kind, TOP_LEVEL)
            };
            diags.push(
                Diagnostic::error(format!("unknown block type `{kind}`"))
                    .at(file.span(block.ident.span()))
                    .help_opt(help),
            );
            return;
        }
    };
    if block.labels.len() != expected_labels {
        let shape = match kind {
            "variable" => "variable \"NAME\" { ... }",
            "provider" => "provider \"sim\" { ... } or provider \"otc\" { ... }",
            "backend" => "backend \"local\" { ... } or backend \"pg\" { ... }",
            "output" => "output \"NAME\" { value = ... }",
            "module" => "module \"NAME\" { source = \"./modules/NAME\" }",
            "resource" => "resource \"vpcep_service\" \"NAME\" { ... }",
            "data" => "data \"vpcep_service_summary\" \"NAME\" { ... }",
            "moved" => "moved { from = TYPE.OLD  to = TYPE.NEW }",
            "removed" => "removed { from = TYPE.NAME  lifecycle { destroy = false } }",
            "import" => "import { to = TYPE.NAME  id = \"...\" }",
            _ => "locals { NAME = ... }",
        };
        diags.push(
            Diagnostic::error(format!(
                "a `{kind}` block takes {expected_labels} label{}, found {}",
                if expected_labels == 1 { "" } else { "s" },
                block.labels.len()
            ))
            .at(decl.location())
            .help(format!("write it as `{shape}`")),
        );
        return;
    }
    match kind {
        "moved" | "removed" | "import" => decls.refactors.push(decl),
        "locals" => collect_locals(decls, decl, diags),
        "provider" => collect_provider(decls, decl, diags),
        "backend" => collect_backend(decls, decl, diags),
        "variable" | "output" | "module" | "check" => collect_named(decls, decl, diags),
        "data" => collect_data(decls, decl, diags),
        _ => collect_resource(decls, decl, diags),
    }
}

/// A `locals` block: each value once (a second of the same name is an error naming the first).
fn collect_locals<'a>(decls: &mut Decls<'a>, decl: Decl<'a>, diags: &mut Vec<Diagnostic>) {
    let (file, block) = (decl.file, decl.block);
    for attr in block.body.attributes() {
        let name = attr.key.as_str().to_owned();
        if let Some(first) = decls.locals.get(&name) {
            let at = first.file.span(first.attr.key.span());
            diags.push(
                Diagnostic::error(format!("duplicate local value `{name}`"))
                    .at(file.span(attr.key.span()))
                    .note(format!(
                        "first defined at {}",
                        position(at.as_ref(), first.file)
                    ))
                    .help("give each local value a unique name"),
            );
        } else {
            decls.locals.insert(name, LocalDecl { file, attr });
        }
    }
    for inner in block.body.blocks() {
        diags.push(
            Diagnostic::error("a `locals` block holds only attributes")
                .at(file.span(inner.ident.span()))
                .help("write local values as `NAME = EXPRESSION`"),
        );
    }
}

/// A `provider` block: a known provider, one without an alias (the others are aliased).
fn collect_provider<'a>(decls: &mut Decls<'a>, decl: Decl<'a>, diags: &mut Vec<Diagnostic>) {
    let block = decl.block;
    let label = decl.label(0);
    if !PROVIDERS.contains(&label) {
        diags.push(
            Diagnostic::error(format!("unknown provider `{label}`"))
                .at(decl.location())
                .help(match super::migrate::kinds::Origin::from_provider_name(label) {
                    Some(super::migrate::kinds::Origin::Otc) => "vpcep's is `provider \"otc\"`, with the same sign-in attributes; `vpcep migrate` converts a whole Terraform configuration".to_owned(),
                    Some(super::migrate::kinds::Origin::Huawei) => "vpcep's is `provider \"otc\" { profile = \"huawei\" }`; `vpcep migrate` converts a whole Terraform configuration".to_owned(),
                    None => "use `sim` (the built-in simulated cloud) or `otc` (Open Telekom Cloud / Huawei Cloud)".to_owned(),
                }),
        );
    } else if block.body.has_attribute("alias") {
        decls.aliased.push(decl);
    } else if let Some(first) = decls.provider {
        diags.push(
            Diagnostic::error("more than one `provider` block without an `alias`")
                .at(decl.location())
                .note(format!("the first is at {}", first.position()))
                .help("give the others an `alias = \"NAME\"` and choose one for a resource with `provider = TYPE.NAME` (e.g. `provider = otc.partner`)"),
        );
    } else {
        decls.provider = Some(decl);
    }
}

/// A `backend` block: a known backend, only one.
fn collect_backend<'a>(decls: &mut Decls<'a>, decl: Decl<'a>, diags: &mut Vec<Diagnostic>) {
    let label = decl.label(0);
    if !BACKENDS.contains(&label) {
        diags.push(
            Diagnostic::error(format!("unknown backend `{label}`"))
                .at(decl.location())
                .help("use `local` (a JSON file) or `pg` (PostgreSQL)"),
        );
    } else if let Some(first) = decls.backend {
        diags.push(
            Diagnostic::error("more than one `backend` block")
                .at(decl.location())
                .note(format!("the first is at {}", first.position()))
                .help("keep one `backend` block"),
        );
    } else {
        decls.backend = Some(decl);
    }
}

/// A `variable`, `output`, `module` or `check` block: a valid, unique name (a `check`'s
/// scoped data sources are read like any other).
fn collect_named<'a>(decls: &mut Decls<'a>, decl: Decl<'a>, diags: &mut Vec<Diagnostic>) {
    let kind = decl.block.ident.as_str();
    let name = decl.label(0).to_owned();
    if !is_identifier(&name) {
        diags.push(
            Diagnostic::error(format!("invalid {kind} name `{name}`"))
                .at(decl.location())
                .help("start with a letter or `_`, then use letters, digits, `_` or `-`"),
        );
        return;
    }
    if kind == "check" {
        // A scoped data source is read like any other (its name is the module's).
        for nested in decl
            .block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == "data")
        {
            if nested.labels.len() == 2 {
                collect_data(
                    decls,
                    Decl {
                        file: decl.file,
                        block: nested,
                    },
                    diags,
                );
            }
        }
    }
    let map = match kind {
        "variable" => &mut decls.variables,
        "module" => &mut decls.modules,
        "check" => &mut decls.checks,
        _ => &mut decls.outputs,
    };
    if let Some(first) = map.get(&name) {
        diags.push(
            Diagnostic::error(format!("duplicate {kind} `{name}`"))
                .at(decl.location())
                .note(format!("first declared at {}", first.position()))
                .help(format!("give each {kind} a unique name")),
        );
    } else {
        map.insert(name, decl);
    }
}

fn collect_data<'a>(decls: &mut Decls<'a>, decl: Decl<'a>, diags: &mut Vec<Diagnostic>) {
    let type_name = decl.label(0);
    let Some(dtype) = DataType::parse(type_name) else {
        let types: Vec<&str> = DataType::ALL.iter().map(|t| t.as_str()).collect();
        diags.push(
            Diagnostic::error(format!("unknown data source `{type_name}`"))
                .at(decl.file.span(decl.block.labels[0].span()))
                .help(
                    suggestion(type_name, &types)
                        .unwrap_or_else(|| format!("the data sources are {}", types.join(", "))),
                ),
        );
        return;
    };
    let name = decl.label(1);
    if !is_identifier(name) {
        diags.push(
            Diagnostic::error(format!("invalid data source name `{name}`"))
                .at(decl.file.span(decl.block.labels[1].span()))
                .help("start with a letter or `_`, then use letters, digits, `_` or `-`"),
        );
        return;
    }
    let id = DataId {
        dtype,
        name: name.to_owned(),
    };
    if let Some(first) = decls.data.get(&id) {
        diags.push(
            Diagnostic::error(format!("duplicate data source `{id}`"))
                .at(decl.location())
                .note(format!("first declared at {}", first.position()))
                .help("give each data source of a type a unique name"),
        );
        return;
    }
    decls.data.insert(id, decl);
}

fn collect_resource<'a>(decls: &mut Decls<'a>, decl: Decl<'a>, diags: &mut Vec<Diagnostic>) {
    let type_name = decl.label(0);
    let Some(rtype) = ResourceType::parse(type_name) else {
        let types: Vec<&str> = ResourceType::ALL.iter().map(|t| t.as_str()).collect();
        diags.push(
            Diagnostic::error(format!("unknown resource type `{type_name}`"))
                .at(decl.file.span(decl.block.labels[0].span()))
                .help_opt(super::migrate::kinds::kind(type_name).map_or_else(
                    || suggestion(type_name, &types),
                    |k| {
                        Some(format!(
                            "`{type_name}` is the {} Terraform provider's; vpcep's is `{}` (`vpcep migrate TERRAFORM_DIR` converts a whole Terraform configuration and its state)",
                            k.origin.provider_name(),
                            k.rtype.as_str()
                        ))
                    },
                )),
        );
        return;
    };
    let name = decl.label(1);
    if !is_identifier(name) {
        diags.push(
            Diagnostic::error(format!("invalid resource name `{name}`"))
                .at(decl.file.span(decl.block.labels[1].span()))
                .help("start with a letter or `_`, then use letters, digits, `_` or `-`"),
        );
        return;
    }
    let id = ResourceId::new(rtype, name);
    if let Some(first) = decls.resources.get(&id) {
        diags.push(
            Diagnostic::error(format!("duplicate resource `{id}`"))
                .at(decl.location())
                .note(format!("first declared at {}", first.position()))
                .help("give each resource of a type a unique name"),
        );
        return;
    }
    decls.resources.insert(id, decl);
}

fn position(at: Option<&Location>, file: &SourceFile) -> String {
    at.map_or_else(
        || file.display.clone(),
        |l| format!("{}:{}", l.file, l.line),
    )
}
