//! `vpcep migrate`'s reading and writing of HCL: a Terraform configuration's `*.tf` files
//! turned into vpcep's, block by block with their comments, the VPCEP resources of the
//! `opentelekomcloud` and `huaweicloud` providers as vpcep's; what stays in Terraform is
//! reported, and references to it become variables whose values the caller takes from
//! Terraform's state ([`variables_file`]).

pub mod kinds;
mod rewrite;

use crate::diag::{Diagnostic, SourceFile};
use hcl::edit::Decorate as _;
use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use hcl::edit::{Decorated, Ident};
use kinds::{Attr, Kind, Origin};
use rewrite::Rewriter;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

/// One file of the Terraform configuration.
pub struct TfSource {
    pub name: String,
    pub text: String,
}

/// A resource that moves to vpcep.
#[derive(Debug, Clone)]
pub struct MovedResource {
    pub tf_type: String,
    pub name: String,
    pub kind: Kind,
    /// `file:line` of its block.
    pub at: String,
}

/// How a reference reads what stays in Terraform: one instance's attribute, an instance of
/// many by key (`[each.key]`), or all instances (`[*]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    One,
    Each,
    All,
}

/// A value the configuration reads from what stays in Terraform, which becomes a variable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Input {
    /// The variable's name.
    pub var: String,
    pub source: InputSource,
    /// The attribute read (`None`: the whole object).
    pub attr: Option<String>,
    pub shape: Shape,
}

/// Where an [`Input`]'s value lives in Terraform.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InputSource {
    /// A managed resource (`mode = "managed"` in the state).
    Resource { tf_type: String, name: String },
    /// A data source (`mode = "data"`).
    Data { tf_type: String, name: String },
    /// A module's output, which Terraform's state does not record.
    Module { name: String, output: String },
}

impl Input {
    /// The Terraform address the value comes from, as a comment names it.
    pub fn origin(&self) -> String {
        let base = match &self.source {
            InputSource::Resource { tf_type, name } => format!("{tf_type}.{name}"),
            InputSource::Data { tf_type, name } => format!("data.{tf_type}.{name}"),
            InputSource::Module { name, output } => return format!("module.{name}.{output}"),
        };
        let instance = match self.shape {
            Shape::One => base,
            Shape::Each => format!("{base}[each instance]"),
            Shape::All => format!("{base}[*]"),
        };
        match &self.attr {
            Some(a) => format!("{instance}.{a}"),
            None => instance,
        }
    }
}

/// Something of the Terraform configuration vpcep does not take over.
#[derive(Debug, Clone)]
pub struct Left {
    /// What it is, as Terraform addresses it (`opentelekomcloud_lb_loadbalancer_v2.lb`).
    pub what: String,
    pub at: String,
    pub why: String,
}

/// The converted configuration and everything the migration report needs.
#[derive(Default)]
pub struct Conversion {
    /// The vpcep files to write: `(name, text)`, formatted.
    pub files: Vec<(String, String)>,
    pub moved: Vec<MovedResource>,
    pub inputs: Vec<Input>,
    /// Resources, data sources, modules and providers that stay in Terraform.
    pub left: Vec<Left>,
    /// Attributes and blocks of converted resources that vpcep leaves to the cloud.
    pub dropped: Vec<Left>,
    /// Where Terraform kept its state (`backend "s3"`), for the report.
    pub backend: Option<String>,
    /// Problems that stop the migration.
    pub errors: Vec<Diagnostic>,
}

/// The declarations the conversion looks up while rewriting.
#[derive(Default)]
struct Declared {
    /// Resources that move, by `(type, name)`.
    moved: HashMap<(String, String), Kind>,
    /// Resources that stay in Terraform.
    staying: BTreeSet<(String, String)>,
    variables: BTreeSet<String>,
    /// The provider blocks vpcep takes over: origin → aliases (`None`: the default).
    providers: Vec<(Origin, Option<String>)>,
}

/// Converts the `*.tf` files of one Terraform configuration (in name order).
pub fn convert(sources: &[TfSource]) -> Conversion {
    let mut out = Conversion::default();
    let mut parsed = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let file = SourceFile::new(source.name.clone(), source.text.as_str(), i);
        // The limits every configuration file is read within (nesting, object sizes).
        if !super::files::within_cost(&file, &mut out.errors) {
            continue;
        }
        match hcl::edit::parser::parse_body(&source.text) {
            Ok(body) => parsed.push((file, body)),
            Err(e) => out.errors.push(
                super::files::syntax_error(&file, &e)
                    .help("vpcep migrate reads configurations that `terraform validate` accepts"),
            ),
        }
    }
    if !out.errors.is_empty() {
        return out;
    }
    let declared = declare(&parsed, &mut out);
    let mut rewriter = Rewriter::new(&declared.moved, &declared.staying, &declared.variables);
    let mut origins_used: BTreeSet<(u8, Option<String>)> = BTreeSet::new();
    for (file, body) in parsed {
        let mut converted = Body::new();
        let mut carried = String::new();
        for structure in body {
            let at = position(&file, structure.span());
            match convert_structure(structure, &at, &declared, &mut rewriter, &mut out) {
                Converted::Kept(s, origin) => {
                    let mut s = *s;
                    if let Some(o) = origin {
                        origins_used.insert(o);
                    }
                    if !carried.is_empty() {
                        let prefix = s
                            .decor()
                            .prefix()
                            .map(|p| p.to_string())
                            .unwrap_or_default();
                        s.decor_mut().set_prefix(format!("{carried}{prefix}"));
                        carried.clear();
                    }
                    converted.push(s);
                }
                Converted::Gone { comments, note } => {
                    carried.push_str(&comments);
                    if let Some(note) = note {
                        // A label may hold a line break; the comment stays one line.
                        let _ = writeln!(carried, "# {}", crate::diag::escape_controls(&note));
                    }
                }
            }
        }
        let mut text = converted.to_string();
        if !carried.is_empty() {
            text.push_str(&carried);
        }
        let name = hcl_name(&file.display);
        out.files.push((name, text));
    }
    add_implicit_providers(&declared, &origins_used, &mut out);
    out.inputs = rewriter.into_inputs();
    for (name, text) in &mut out.files {
        let source = SourceFile::new(name.clone(), text.as_str(), 0);
        match super::layout::format(&source) {
            Ok(formatted) => *text = formatted,
            Err(d) => out.errors.push(
                Diagnostic::error(format!(
                    "the converted `{name}` does not read back as HCL: {}",
                    d.message
                ))
                .help("this is vpcep's fault; please report it with the Terraform file"),
            ),
        }
    }
    out
}

/// `main.tf` → `main.hcl`.
fn hcl_name(tf: &str) -> String {
    let stem = tf.strip_suffix(".tf").unwrap_or(tf);
    format!("{stem}.hcl")
}

fn position(file: &SourceFile, span: Option<std::ops::Range<usize>>) -> String {
    file.span(span).map_or_else(
        || file.display.clone(),
        |l| format!("{}:{}", l.file, l.line),
    )
}

fn label(block: &Block, i: usize) -> &str {
    block.labels.get(i).map_or("", BlockLabel::as_str)
}

/// The first pass: what is declared, and which resources move.
fn declare(parsed: &[(SourceFile, Body)], out: &mut Conversion) -> Declared {
    let mut declared = Declared::default();
    for (file, body) in parsed {
        for block in body.blocks() {
            match block.ident.as_str() {
                "resource" => {
                    let key = (label(block, 0).to_owned(), label(block, 1).to_owned());
                    let at = position(file, block.span());
                    let Some(kind) = kinds::kind(&key.0) else {
                        declared.staying.insert(key);
                        continue;
                    };
                    if let Some((name, why)) = blocking_attribute(kind, &block.body) {
                        out.left.push(Left {
                            what: format!("{}.{}", key.0, key.1),
                            at,
                            why: format!("`{name}`: {why}"),
                        });
                        declared.staying.insert(key);
                    } else {
                        out.moved.push(MovedResource {
                            tf_type: key.0.clone(),
                            name: key.1.clone(),
                            kind,
                            at,
                        });
                        declared.moved.insert(key, kind);
                    }
                }
                "variable" => {
                    declared.variables.insert(label(block, 0).to_owned());
                }
                "provider" => {
                    if let Some(origin) = Origin::from_provider_name(label(block, 0)) {
                        let alias = block
                            .body
                            .get_attribute("alias")
                            .and_then(|a| a.value.as_str().map(str::to_owned));
                        declared.providers.push((origin, alias));
                    }
                }
                _ => {}
            }
        }
    }
    declared
}

/// The first attribute of a resource that keeps it in Terraform.
fn blocking_attribute(kind: Kind, body: &Body) -> Option<(String, &'static str)> {
    body.attributes()
        .find_map(|a| match kinds::attribute(kind, a.key.as_str()) {
            Attr::Blocks(why) => Some((a.key.as_str().to_owned(), why)),
            _ => None,
        })
}

enum Converted {
    /// The structure as vpcep writes it, and the provider it needs (origin as a number for
    /// ordering, and its alias).
    Kept(Box<Structure>, Option<(u8, Option<String>)>),
    /// Left out: the comments written above it, and a note that takes its place.
    Gone {
        comments: String,
        note: Option<String>,
    },
}

fn leading_comments(structure: &Structure) -> String {
    let prefix = structure
        .decor()
        .prefix()
        .map(|p| p.to_string())
        .unwrap_or_default();
    prefix.trim_start_matches(['\n', ' ', '\t']).to_owned()
}

fn convert_structure(
    structure: Structure,
    at: &str,
    declared: &Declared,
    rewriter: &mut Rewriter<'_>,
    out: &mut Conversion,
) -> Converted {
    let gone = |structure: &Structure, note: Option<String>| Converted::Gone {
        comments: leading_comments(structure),
        note,
    };
    let mut block = match structure {
        Structure::Attribute(attr) => {
            out.left.push(Left {
                what: format!("the top-level attribute `{}`", attr.key.as_str()),
                at: at.to_owned(),
                why: "a configuration file holds only blocks".to_owned(),
            });
            return gone(&Structure::Attribute(attr), None);
        }
        Structure::Block(block) => block,
    };
    let kind = block.ident.as_str().to_owned();
    match kind.as_str() {
        "terraform" => {
            if let Some(backend) = block.body.get_blocks("backend").next() {
                out.backend = Some(label(backend, 0).to_owned());
            }
            let note = "the `terraform` block (required providers, backend) is Terraform's; vpcep's state is local until you add a `backend` block";
            gone(&Structure::Block(block), Some(note.to_owned()))
        }
        "variable" | "locals" | "output" => {
            rewriter.visit_body(&mut block.body);
            Converted::Kept(Box::new(Structure::Block(block)), None)
        }
        "resource" => {
            let key = (label(&block, 0).to_owned(), label(&block, 1).to_owned());
            if let Some(kind) = declared.moved.get(&key) {
                let provider = convert_resource(&mut block, *kind, at, rewriter, out);
                Converted::Kept(Box::new(Structure::Block(block)), Some(provider))
            } else {
                if kinds::kind(&key.0).is_none() {
                    out.left.push(Left {
                        what: format!("{}.{}", key.0, key.1),
                        at: at.to_owned(),
                        why: "vpcep manages VPC endpoint services, endpoints and approvals only"
                            .to_owned(),
                    });
                }
                let note = format!("{}.{} stays in Terraform (see MIGRATION.md)", key.0, key.1);
                gone(&Structure::Block(block), Some(note))
            }
        }
        "data" => {
            let what = format!("data.{}.{}", label(&block, 0), label(&block, 1));
            out.left.push(Left {
                what: what.clone(),
                at: at.to_owned(),
                why: "Terraform's data sources are not vpcep's; the values read from it become variables".to_owned(),
            });
            gone(
                &Structure::Block(block),
                Some(format!("{what} stays in Terraform (see MIGRATION.md)")),
            )
        }
        "module" => {
            let what = format!("module.{}", label(&block, 0));
            out.left.push(Left {
                what: what.clone(),
                at: at.to_owned(),
                why: "modules are not converted; convert the module's files with `vpcep migrate` on its own and call it from vpcep".to_owned(),
            });
            gone(
                &Structure::Block(block),
                Some(format!("{what} stays in Terraform (see MIGRATION.md)")),
            )
        }
        "provider" => {
            if let Some(origin) = Origin::from_provider_name(label(&block, 0)) {
                convert_provider(&mut block, origin, at, rewriter, out);
                Converted::Kept(Box::new(Structure::Block(block)), None)
            } else {
                let what = format!("provider \"{}\"", label(&block, 0));
                out.left.push(Left {
                    what: what.clone(),
                    at: at.to_owned(),
                    why: "it configures no VPCEP resource".to_owned(),
                });
                gone(&Structure::Block(block), None)
            }
        }
        "moved" | "removed" | "import" => {
            let target = ["to", "from"]
                .iter()
                .find_map(|k| block.body.get_attribute(k))
                .and_then(|a| root_resource(&a.value));
            if target
                .as_ref()
                .is_some_and(|t| declared.moved.contains_key(t))
            {
                rewriter.visit_body(&mut block.body);
                Converted::Kept(Box::new(Structure::Block(block)), None)
            } else {
                out.left.push(Left {
                    what: format!("a `{kind}` block"),
                    at: at.to_owned(),
                    why: "it names a resource that stays in Terraform".to_owned(),
                });
                gone(&Structure::Block(block), None)
            }
        }
        "check" if !block.body.has_blocks("data") => {
            rewriter.visit_body(&mut block.body);
            Converted::Kept(Box::new(Structure::Block(block)), None)
        }
        _ => {
            out.left.push(Left {
                what: format!("a `{kind}` block"),
                at: at.to_owned(),
                why: "vpcep has no equivalent".to_owned(),
            });
            gone(&Structure::Block(block), None)
        }
    }
}

/// `(type, name)` of a resource reference (`TYPE.NAME`, `TYPE.NAME[KEY]`).
fn root_resource(expr: &Expression) -> Option<(String, String)> {
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    match t.operators.first().map(Decorated::value) {
        Some(hcl::edit::expr::TraversalOperator::GetAttr(name)) => {
            Some((root.as_str().to_owned(), name.as_str().to_owned()))
        }
        _ => None,
    }
}

fn ident(name: &str) -> Decorated<Ident> {
    Decorated::new(Ident::new(name))
}

/// Renames an attribute in place, keeping its comments.
fn rename(attr: &mut Attribute, to: &str) {
    *attr.key.value_mut() = Ident::new(to);
}

/// A resource block rewritten as vpcep's; returns the provider it uses.
fn convert_resource(
    block: &mut Block,
    kind: Kind,
    at: &str,
    rewriter: &mut Rewriter<'_>,
    out: &mut Conversion,
) -> (u8, Option<String>) {
    let address = format!("{}.{}", label(block, 0), label(block, 1));
    block.labels[0] = BlockLabel::String(Decorated::new(kind.rtype.as_str().to_owned()));
    let present: BTreeSet<String> = block
        .body
        .attributes()
        .map(|a| a.key.as_str().to_owned())
        .collect();
    let mut alias = None;
    let old = std::mem::take(&mut block.body);
    let mut body = Body::new();
    for structure in old {
        match structure {
            Structure::Attribute(mut attr) => {
                let name = attr.key.as_str().to_owned();
                match kinds::attribute(kind, &name) {
                    Attr::Keep | Attr::Blocks(_) => {}
                    Attr::Rename(to) => rename(&mut attr, to),
                    Attr::Drop(why) => {
                        out.dropped.push(Left {
                            what: format!("`{name}` of {address}"),
                            at: at.to_owned(),
                            why: why.to_owned(),
                        });
                        continue;
                    }
                }
                match name.as_str() {
                    "provider" => {
                        alias = Rewriter::provider_reference(&mut attr.value);
                    }
                    "depends_on" => {
                        if !rewriter.depends_on(&mut attr.value) {
                            out.dropped.push(Left {
                                what: format!("`depends_on` of {address}"),
                                at: at.to_owned(),
                                why: "it names only what stays in Terraform".to_owned(),
                            });
                            continue;
                        }
                    }
                    _ => rewriter.visit_expr(&mut attr.value),
                }
                body.push(attr);
            }
            Structure::Block(mut inner) => {
                let name = inner.ident.as_str().to_owned();
                if name == "dynamic" {
                    convert_dynamic(&mut inner, kind, rewriter);
                    body.push(inner);
                    continue;
                }
                match kinds::block(kind, &name) {
                    Ok("port") => {
                        *inner.ident.value_mut() = Ident::new("port");
                        rename_port_attributes(&mut inner.body);
                        rewriter.visit_body(&mut inner.body);
                    }
                    Ok("timeouts") => convert_timeouts(&mut inner),
                    Ok(_) => {
                        rename_ignored(&mut inner.body, kind);
                        rewriter.visit_body(&mut inner.body);
                    }
                    Err(why) => {
                        out.dropped.push(Left {
                            what: format!("the `{name}` block of {address}"),
                            at: at.to_owned(),
                            why: why.to_owned(),
                        });
                        continue;
                    }
                }
                body.push(inner);
            }
        }
    }
    for (tf, vpcep, value) in kinds::explicit_defaults(kind) {
        if !present.contains(*tf) {
            let expr = hcl::edit::parser::parse_expr(value)
                .unwrap_or(Expression::Null(Decorated::new(hcl::edit::expr::Null)));
            let mut attr = Attribute::new(ident(vpcep), expr);
            attr.decor_mut().set_prefix(format!(
                "# the {} provider's default, written out\n",
                kind.origin.provider_name()
            ));
            // After the attributes, before the blocks.
            let at = body
                .iter()
                .position(|s| matches!(s, Structure::Block(_)))
                .unwrap_or(body.len());
            body.insert(at, attr);
        }
    }
    block.body = body;
    (kind.origin as u8, alias)
}

fn rename_port_attributes(body: &mut Body) {
    for i in 0..body.len() {
        if let Some(Structure::Attribute(attr)) = body.get_mut(i)
            && let Some(to) = kinds::port_attribute(attr.key.as_str())
        {
            rename(attr, to);
        }
    }
}

/// `dynamic "port_mapping"` → `dynamic "port"`, keeping the iterator's name.
fn convert_dynamic(block: &mut Block, kind: Kind, rewriter: &mut Rewriter<'_>) {
    let name = label(block, 0).to_owned();
    if let Ok(to) = kinds::block(kind, &name)
        && to != name
    {
        block.labels[0] = BlockLabel::String(Decorated::new(to.to_owned()));
        if !block.body.has_attribute("iterator") {
            block.body.push(Attribute::new(
                ident("iterator"),
                Expression::Variable(ident(&name)),
            ));
        }
    }
    for i in 0..block.body.len() {
        if let Some(Structure::Block(content)) = block.body.get_mut(i)
            && content.ident.as_str() == "content"
        {
            rename_port_attributes(&mut content.body);
        }
    }
    rewriter.visit_body(&mut block.body);
}

/// `timeouts { default = "5m" }` (the OTC provider's one timeout) → `create` and `delete`.
fn convert_timeouts(block: &mut Block) {
    let default = block.body.remove_attribute("default");
    block.body.remove_attribute("update");
    block.body.remove_attribute("read");
    if let Some(default) = default {
        for name in ["create", "delete"] {
            if !block.body.has_attribute(name) {
                block
                    .body
                    .push(Attribute::new(ident(name), default.value.clone()));
            }
        }
    }
}

/// `ignore_changes = [port_mapping]` names the attributes by vpcep's names.
fn rename_ignored(body: &mut Body, kind: Kind) {
    if let Some(mut attr) = body.get_attribute_mut("ignore_changes")
        && let Expression::Array(items) = attr.value_mut()
    {
        for item in items.iter_mut() {
            if let Expression::Variable(v) = item {
                let to = kinds::reference(kind, v.as_str()).to_owned();
                *v.value_mut() = Ident::new(to);
            }
        }
    }
}

/// A `provider "opentelekomcloud"` or `provider "huaweicloud"` block as `provider "otc"`.
fn convert_provider(
    block: &mut Block,
    origin: Origin,
    at: &str,
    rewriter: &mut Rewriter<'_>,
    out: &mut Conversion,
) {
    block.labels[0] = BlockLabel::String(Decorated::new("otc".to_owned()));
    let old = std::mem::take(&mut block.body);
    let mut body = Body::new();
    if origin == Origin::Huawei {
        body.push(Attribute::new(
            ident("profile"),
            Expression::String(Decorated::new("huawei".to_owned())),
        ));
    }
    let what = format!("provider \"{}\"", origin.provider_name());
    for structure in old {
        match structure {
            Structure::Attribute(mut attr) => {
                let name = attr.key.as_str().to_owned();
                if origin == Origin::Huawei && name == "endpoints" {
                    if let Some(vpcep) = object_item(&attr.value, "vpcep") {
                        let mut endpoint = Attribute::new(ident("endpoint"), vpcep);
                        rewriter.visit_expr(&mut endpoint.value);
                        body.push(endpoint);
                    }
                    continue;
                }
                match kinds::provider_attribute(origin, &name) {
                    Attr::Keep | Attr::Blocks(_) => {}
                    Attr::Rename(to) => rename(&mut attr, to),
                    Attr::Drop(why) => {
                        out.dropped.push(Left {
                            what: format!("`{name}` of {what}"),
                            at: at.to_owned(),
                            why: why.to_owned(),
                        });
                        continue;
                    }
                }
                rewriter.visit_expr(&mut attr.value);
                body.push(attr);
            }
            Structure::Block(inner) if inner.ident.as_str() == "assume_role" => {
                for (from, to) in [
                    ("agency_name", "agency_name"),
                    ("domain_name", "agency_domain_name"),
                ] {
                    if let Some(a) = inner.body.get_attribute(from) {
                        let mut attr = Attribute::new(ident(to), a.value.clone());
                        rewriter.visit_expr(&mut attr.value);
                        body.push(attr);
                    }
                }
            }
            Structure::Block(inner) => out.dropped.push(Left {
                what: format!("the `{}` block of {what}", inner.ident.as_str()),
                at: at.to_owned(),
                why: "vpcep's provider has no such setting".to_owned(),
            }),
        }
    }
    block.body = body;
}

/// The value of `key` in an object literal.
fn object_item(expr: &Expression, key: &str) -> Option<Expression> {
    let Expression::Object(object) = expr else {
        return None;
    };
    object.iter().find_map(|(k, v)| {
        let name = match k {
            hcl::edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
            hcl::edit::expr::ObjectKey::Expression(e) => e.as_str()?.to_owned(),
        };
        (name == key).then(|| v.expr().clone())
    })
}

/// A resource of a provider the configuration has no block for reads the environment in
/// Terraform; vpcep's default provider is the simulated cloud, so the block is written out.
fn add_implicit_providers(
    declared: &Declared,
    used: &BTreeSet<(u8, Option<String>)>,
    out: &mut Conversion,
) {
    let mut defaults: Vec<Origin> = declared
        .providers
        .iter()
        .filter(|(_, alias)| alias.is_none())
        .map(|(o, _)| *o)
        .collect();
    let mut added = String::new();
    for (origin, alias) in used {
        let origin = if *origin == Origin::Otc as u8 {
            Origin::Otc
        } else {
            Origin::Huawei
        };
        if alias.is_some() || defaults.contains(&origin) {
            continue;
        }
        defaults.push(origin);
        let body = if origin == Origin::Huawei {
            "{\n  profile = \"huawei\"\n}"
        } else {
            "{}"
        };
        let _ = write!(
            added,
            "# Terraform's {} provider had no block and signed in from the environment; so does this one.\nprovider \"otc\" {body}\n\n",
            origin.provider_name(),
        );
    }
    if defaults.len() > 1 {
        out.errors.push(
            Diagnostic::error(
                "the configuration uses both the opentelekomcloud and the huaweicloud provider without an alias",
            )
            .help("give one of the two provider blocks an `alias` and name it in its resources' `provider`, then migrate again"),
        );
    }
    if !added.is_empty() {
        out.files.insert(0, ("providers.hcl".to_owned(), added));
    }
}

/// The variables that hold what the configuration read from Terraform, each with its value
/// from Terraform's state (`None`: the state does not have it, and the variable must be set).
pub fn variables_file(inputs: &[(Input, Option<serde_json::Value>)]) -> String {
    let mut text = String::from(
        "# Values the configuration read from resources that stay in Terraform, as Terraform's state\n# recorded them when this configuration was migrated. Update them when those resources change.\n",
    );
    for (input, value) in inputs {
        let _ = write!(
            text,
            "\n# From Terraform: {}\nvariable \"{}\" {{\n",
            input.origin(),
            input.var
        );
        match value {
            Some(v) => {
                let _ = writeln!(text, "  default = {}", hcl_literal(v, 1));
            }
            None => {
                let _ = writeln!(
                    text,
                    "  description = \"{} (not in Terraform's state: set it with --var or VPCEP_VAR_{})\"",
                    input.origin(),
                    input.var
                );
            }
        }
        text.push_str("}\n");
    }
    let source = SourceFile::new("from_terraform.hcl", text.as_str(), 0);
    super::layout::format(&source).unwrap_or(text)
}

/// A JSON value written as an HCL expression.
pub fn hcl_literal(value: &serde_json::Value, depth: usize) -> String {
    use serde_json::Value as J;
    let pad = "  ".repeat(depth);
    match value {
        J::Null => "null".to_owned(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => hcl_string(s),
        J::Array(items) if items.is_empty() => "[]".to_owned(),
        J::Array(items) => {
            let inner: Vec<String> = items.iter().map(|v| hcl_literal(v, depth + 1)).collect();
            format!("[{}]", inner.join(", "))
        }
        J::Object(map) if map.is_empty() => "{}".to_owned(),
        J::Object(map) => {
            let mut s = String::from("{\n");
            for (k, v) in map {
                let key = if super::decls::is_identifier(k) {
                    k.clone()
                } else {
                    hcl_string(k)
                };
                let _ = writeln!(s, "{pad}  {key} = {}", hcl_literal(v, depth + 1));
            }
            s.push_str(&pad);
            s.push('}');
            s
        }
    }
}

/// A quoted HCL string: JSON's escapes, and `${`/`%{` escaped so nothing is interpolated.
fn hcl_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned())
        .to_string()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

#[cfg(test)]
mod tests;
