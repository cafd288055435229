//! The `provider`, `backend` and `output` blocks.

use super::body::check_names;
use super::decls::{Decl, Decls};
use super::deps::{Allowed, check_expr};
use super::eval::Scope;
use super::resources::parse_duration;
use crate::cloud::sign::Secret;
use crate::diag::{Diagnostic, Location};
use crate::model::Value;
use crate::model::desired::{BackendConfig, OtcConfig, OutputValue, ProviderConfig, SimConfig};
use indexmap::IndexMap;
use std::path::PathBuf;

const SETTINGS: Allowed = Allowed::anywhere(false, "this block");

/// Evaluates the attributes of a settings block that must be known when planning.
struct Settings<'a, 'd> {
    decl: Decl<'a>,
    decls: &'a Decls<'a>,
    scope: &'a Scope,
    diags: &'d mut Vec<Diagnostic>,
}

impl Settings<'_, '_> {
    fn value(&mut self, name: &str) -> Option<(Value, Option<Location>)> {
        let attr = self.decl.block.body.get_attribute(name)?;
        let loc = self.decl.file.span(attr.value.span());
        check_expr(
            &attr.value,
            self.decl.file,
            self.decls,
            SETTINGS,
            self.diags,
        );
        let value = self.scope.eval(
            &attr.value,
            None,
            self.decl.file,
            self.diags,
            &mut Vec::new(),
        )?;
        if value.is_null() {
            return None;
        }
        Some((value, loc))
    }

    fn string(&mut self, name: &str) -> Option<String> {
        match self.value(name)? {
            (Value::String(s), _) => Some(s.to_string()),
            (Value::Number(n), _) => Some(n.to_string()),
            (other, loc) => {
                self.diags.push(
                    Diagnostic::error(format!("`{name}` must be a string, got {other}")).at(loc),
                );
                None
            }
        }
    }

    /// A credential: a string whose value no message repeats.
    fn secret(&mut self, name: &str) -> Option<String> {
        match self.value(name)? {
            (Value::String(s), _) => Some(s.to_string()),
            (other, loc) => {
                self.diags.push(
                    Diagnostic::error(format!(
                        "`{name}` must be a string, got {}",
                        other.type_name()
                    ))
                    .at(loc),
                );
                None
            }
        }
    }

    fn count(&mut self, name: &str) -> Option<u32> {
        let (value, loc) = self.value(name)?;
        if let Some(n) = value.as_i64().and_then(|i| u32::try_from(i).ok()) {
            Some(n)
        } else {
            self.diags.push(
                Diagnostic::error(format!(
                    "`{name}` must be a whole number of 0 or more, got {value}"
                ))
                .at(loc),
            );
            None
        }
    }

    fn duration(&mut self, name: &str) -> Option<std::time::Duration> {
        let (value, loc) = self.value(name)?;
        match parse_duration(&value) {
            Ok(d) => Some(d),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(format!("invalid `{name}`: {e}"))
                        .at(loc)
                        .help("write a duration such as \"0s\", \"2s\" or \"1m\""),
                );
                None
            }
        }
    }
}

/// The default cloud: the `provider` block without an alias; `provider "sim" {}` when there
/// is none.
pub(crate) fn provider(
    decls: &Decls<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> ProviderConfig {
    match decls.provider {
        Some(decl) => provider_config(decl, decls, scope, diags),
        None => ProviderConfig::Sim(SimConfig::default()),
    }
}

/// The providers with an alias, by `TYPE.ALIAS` (e.g. `otc.partner`).
pub(crate) fn aliases(
    decls: &Decls<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> IndexMap<String, ProviderConfig> {
    let mut out = IndexMap::new();
    let mut first: IndexMap<String, &Decl<'_>> = IndexMap::new();
    for decl in &decls.aliased {
        let Some(key) = alias_key(decl, Some(diags)) else {
            continue;
        };
        if let Some(earlier) = first.get(&key) {
            diags.push(
                Diagnostic::error(format!(
                    "two `provider \"{}\"` blocks have the alias `{}`",
                    decl.label(0),
                    key.split_once('.').map_or("", |(_, a)| a)
                ))
                .at(decl.location())
                .note(format!("the first is at {}", earlier.position()))
                .help("give each provider block of a type its own alias"),
            );
            continue;
        }
        first.insert(key.clone(), decl);
        out.insert(key, provider_config(*decl, decls, scope, diags));
    }
    out
}

/// `TYPE.ALIAS` of a provider block with an alias; its `alias` must be a name in quotes
/// (reported into `diags` when given).
pub(crate) fn alias_key(decl: &Decl<'_>, diags: Option<&mut Vec<Diagnostic>>) -> Option<String> {
    let attr = decl.block.body.get_attribute("alias")?;
    let name = match &attr.value {
        super::syntax::Expr::Lit(lit) => match lit.value() {
            Value::String(s) if super::decls::is_identifier(&s) => Some(s.to_string()),
            _ => None,
        },
        super::syntax::Expr::Hcl(_) => None,
    };
    if name.is_none()
        && let Some(diags) = diags
    {
        diags.push(
            Diagnostic::error("`alias` must be a name in quotes")
                .at(decl.file.span(attr.value.span()))
                .help("e.g. `alias = \"partner\"` (letters, digits, `_` and `-`); resources choose it with `provider = otc.partner`"),
        );
    }
    Some(format!("{}.{}", decl.label(0), name?))
}

/// The providers resources may choose with `provider = ...`: the default one's type, and the
/// keys (`TYPE.ALIAS`) of those with an alias.
pub(crate) fn provider_keys(decls: &Decls<'_>) -> (String, Vec<String>) {
    let default = decls
        .provider
        .map_or_else(|| "sim".to_owned(), |d| d.label(0).to_owned());
    let mut aliases: Vec<String> = Vec::new();
    for key in decls.aliased.iter().filter_map(|d| alias_key(d, None)) {
        if !aliases.contains(&key) {
            aliases.push(key);
        }
    }
    (default, aliases)
}

/// The provider a resource or data block chooses with `provider = TYPE.ALIAS`: its key, or
/// `None` for the default one (no `provider`, or the default block's type alone).
pub(crate) fn chosen_provider(
    decl: &Decl<'_>,
    decls: &Decls<'_>,
    what: &dyn std::fmt::Display,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    use hcl::edit::expr::{Expression, TraversalOperator};
    let attr = decl.block.body.get_attribute("provider")?;
    let written = match attr.value.hcl() {
        Some(Expression::Variable(v)) => Some(v.as_str().to_owned()),
        Some(Expression::Traversal(t)) => match (&t.expr, t.operators.as_slice()) {
            (Expression::Variable(v), [op]) => match op.value() {
                TraversalOperator::GetAttr(a) => Some(format!("{}.{}", v.as_str(), a.as_str())),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    let (default_type, aliases) = provider_keys(decls);
    let at = decl.file.span(attr.value.span());
    let declared = || {
        std::iter::once(format!("`{default_type}` (the default)"))
            .chain(aliases.iter().map(|a| format!("`{a}`")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match written {
        Some(name) if aliases.contains(&name) => Some(name),
        Some(name) if name == default_type => None,
        Some(name) => {
            diags.push(
                Diagnostic::error(format!(
                    "`{what}` chooses `provider = {name}`, but no provider block is `{name}`"
                ))
                .at(at)
                .help(format!(
                    "declare `provider \"{}\" {{ alias = \"{}\" ... }}`, or choose one of {}",
                    name.split('.').next().unwrap_or_default(),
                    name.split_once('.').map_or("NAME", |(_, a)| a),
                    declared()
                )),
            );
            None
        }
        None => {
            diags.push(
                Diagnostic::error(format!(
                    "`provider` of `{what}` must name a provider block, as in `provider = otc.partner`"
                ))
                .at(at)
                .help(format!("write it without quotes; the providers are {}", declared())),
            );
            None
        }
    }
}

/// One provider block's cloud.
fn provider_config(
    decl: Decl<'_>,
    decls: &Decls<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> ProviderConfig {
    let mut s = Settings {
        decl,
        decls,
        scope,
        diags,
    };
    if decl.label(0) == "otc" {
        return ProviderConfig::Otc(Box::new(otc_config(decl, &mut s)));
    }
    check_names(
        decl.file,
        &decl.block.body,
        "a `provider \"sim\"` block",
        &[
            "alias",
            "path",
            "create_delay",
            "delete_delay",
            "quota_services",
            "quota_endpoints",
            "domain_id",
            "project_id",
        ],
        &[],
        s.diags,
    );
    let mut sim = SimConfig::default();
    if let Some(path) = s.string("path") {
        sim.path = PathBuf::from(path);
    }
    if let Some(d) = s.duration("create_delay") {
        sim.create_delay = d;
    }
    if let Some(d) = s.duration("delete_delay") {
        sim.delete_delay = d;
    }
    if let Some(n) = s.count("quota_services") {
        sim.quota_services = n;
    }
    if let Some(n) = s.count("quota_endpoints") {
        sim.quota_endpoints = n;
    }
    for (name, slot) in [
        ("domain_id", &mut sim.domain_id),
        ("project_id", &mut sim.project_id),
    ] {
        if let Some(id) = s.string(name) {
            if is_cloud_id(&id) {
                *slot = id.to_lowercase();
            } else {
                let loc = decl
                    .block
                    .body
                    .get_attribute(name)
                    .and_then(|a| decl.file.span(a.value.span()));
                s.diags.push(
                    Diagnostic::error(format!(
                        "`{name}` must be 32 hexadecimal characters, got \"{id}\""
                    ))
                    .at(loc)
                    .help("account and project IDs look like 0b2c6f3e8a1d4c7e9f10a2b3c4d5e6f7"),
                );
            }
        }
    }
    ProviderConfig::Sim(sim)
}

/// A `provider "otc"` block: where the API is, which profile, and who signs in.
fn otc_config(decl: Decl<'_>, s: &mut Settings<'_, '_>) -> OtcConfig {
    let mut names = vec![
        "alias",
        "region",
        "project_id",
        "endpoint",
        "profile",
        "max_rps",
    ];
    names.extend(crate::cloud::auth::ATTRIBUTES);
    check_names(
        decl.file,
        &decl.block.body,
        "a `provider \"otc\"` block",
        &names,
        &[],
        s.diags,
    );
    let region = s.string("region");
    let endpoint = s.string("endpoint");
    let project_id = s.string("project_id");
    if let Some(e) = &endpoint
        && let Err(why) = crate::model::endpoint_parts(e)
    {
        // Pointed at the block, not the line: the line may hold a password.
        s.diags.push(Diagnostic::error(why).at(decl.location()));
    }
    // The default provider may take its region from the environment; an alias never does,
    // so without a region, endpoint or clouds.yaml entry it has no cloud to reach.
    let body = &decl.block.body;
    if body.has_attribute("alias")
        && !["region", "endpoint", "cloud"]
            .iter()
            .any(|a| body.has_attribute(a))
    {
        s.diags.push(
            Diagnostic::error("`provider \"otc\"` needs a `region` (or an explicit `endpoint`)")
                .at(decl.location())
                .help("add `region = \"eu-de\"`; a provider with an alias does not read OS_REGION_NAME"),
        );
    }
    let implied = crate::model::CloudProfile::implied(region.as_deref(), endpoint.as_deref());
    let mut profile = implied;
    if let Some(name) = s.string("profile") {
        if let Some(c) = crate::model::CloudProfile::parse(&name) {
            profile = c;
        } else {
            s.diags.push(
                Diagnostic::error(format!("unknown profile \"{name}\""))
                    .at(decl.location())
                    .help(format!(
                        "use one of {}, or leave `profile` out to take it from the region or endpoint",
                        crate::model::CloudProfile::NAMES
                            .map(|n| format!("\"{n}\""))
                            .join(", ")
                    )),
            );
        }
    }
    let max_rps = s.count("max_rps");
    if max_rps == Some(0) {
        s.diags.push(
            Diagnostic::error("`max_rps` must be at least 1 request per second")
                .at(decl.location())
                .help("leave it out to let vpcep find the gateway's limit by itself"),
        );
    }
    let password = s.secret("password").map(Secret::new);
    let secret_key = s.secret("secret_key").map(Secret::new);
    let security_token = s.secret("security_token").map(Secret::new);
    let token = s.secret("token").map(Secret::new);
    let access_key = s.secret("access_key");
    let sign_in = crate::cloud::auth::SignIn {
        auth_url: s.string("auth_url"),
        user_name: s.string("user_name"),
        user_id: s.string("user_id"),
        password,
        domain_name: s.string("domain_name"),
        domain_id: s.string("domain_id"),
        tenant_name: s.string("tenant_name"),
        tenant_id: s.string("tenant_id"),
        access_key,
        secret_key,
        security_token,
        token,
        agency_name: s.string("agency_name"),
        agency_domain_name: s.string("agency_domain_name"),
        delegated_project: s.string("delegated_project"),
        cloud: s.string("cloud"),
    };
    OtcConfig {
        region,
        project_id,
        endpoint,
        profile,
        max_rps: max_rps.filter(|n| *n > 0),
        sign_in,
    }
}

/// A domain (account) or project ID: 32 hexadecimal characters.
pub fn is_cloud_id(s: &str) -> bool {
    s.len() == 32 && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Where state lives; `backend "local" { path = "vpcep.state.json" }` when no block is given.
pub(crate) fn backend(
    decls: &Decls<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> BackendConfig {
    let Some(decl) = decls.backend else {
        return BackendConfig::default();
    };
    let mut s = Settings {
        decl,
        decls,
        scope,
        diags,
    };
    if decl.label(0) == "pg" {
        check_names(
            decl.file,
            &decl.block.body,
            "a `backend \"pg\"` block",
            &["conn_str", "schema_name", "state_name"],
            &[],
            s.diags,
        );
        return BackendConfig::Pg {
            conn_str: s.string("conn_str"),
            schema_name: s
                .string("schema_name")
                .unwrap_or_else(|| "vpcep".to_owned()),
            state_name: s
                .string("state_name")
                .unwrap_or_else(|| "default".to_owned()),
        };
    }
    check_names(
        decl.file,
        &decl.block.body,
        "a `backend \"local\"` block",
        &["path"],
        &[],
        s.diags,
    );
    match s.string("path") {
        Some(path) if !path.is_empty() => BackendConfig::Local {
            path: PathBuf::from(path),
        },
        _ => BackendConfig::default(),
    }
}

pub(crate) fn outputs(
    decls: &Decls<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> IndexMap<String, OutputValue> {
    let allowed = Allowed::anywhere(true, "an output");
    let mut out = IndexMap::new();
    for (name, decl) in &decls.outputs {
        let body = &decl.block.body;
        check_names(
            decl.file,
            body,
            "an `output` block",
            &["value", "description", "sensitive"],
            &[],
            diags,
        );
        let Some(attr) = body.get_attribute("value") else {
            diags.push(
                Diagnostic::error(format!(
                    "output `{name}` is missing the required attribute `value`"
                ))
                .at(decl.location())
                .help("add `value = ...`, e.g. `value = vpcep_service.api.service_name`"),
            );
            continue;
        };
        check_expr(&attr.value, decl.file, decls, allowed, diags);
        let Some(value) = scope.eval(&attr.value, None, decl.file, diags, &mut Vec::new()) else {
            continue;
        };
        let mut s = Settings {
            decl: *decl,
            decls,
            scope,
            diags,
        };
        let description = s.string("description");
        let sensitive = matches!(s.value("sensitive"), Some((Value::Bool(true), _)));
        if !sensitive && scope.is_sensitive(&attr.value) {
            diags.push(
                Diagnostic::error(format!(
                    "output `{name}` refers to sensitive values, but is not marked sensitive"
                ))
                .at(decl.file.span(attr.value.span()))
                .help("add `sensitive = true` to the output; `vpcep output NAME` still prints it when asked by name"),
            );
            continue;
        }
        out.insert(
            name.clone(),
            OutputValue {
                value,
                description,
                sensitive,
            },
        );
    }
    out
}

/// The `check` blocks: each `assert`'s `condition` evaluated with what is known. A false one
/// fails the check with its `error_message`; one that reads a value known only after apply
/// leaves it unknown. A check never stops a plan or an apply: it warns.
pub(crate) fn checks(
    decls: &Decls<'_>,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Vec<crate::model::CheckResult> {
    use crate::model::{CheckResult, CheckStatus};
    let allowed = Allowed::anywhere(true, "a `check` block");
    let mut out = Vec::new();
    for (name, decl) in &decls.checks {
        let body = &decl.block.body;
        check_names(
            decl.file,
            body,
            "a `check` block",
            &[],
            &["assert", "data"],
            diags,
        );
        let mut status = CheckStatus::Pass;
        let mut problems = Vec::new();
        let asserts: Vec<_> = body
            .blocks()
            .filter(|b| b.ident.as_str() == "assert")
            .collect();
        if asserts.is_empty() {
            diags.push(
                Diagnostic::error(format!("check `{name}` has no `assert` block"))
                    .at(decl.location())
                    .help("add `assert { condition = ...  error_message = \"...\" }`"),
            );
            continue;
        }
        for assert in asserts {
            check_names(
                decl.file,
                &assert.body,
                "an `assert` block",
                &["condition", "error_message"],
                &[],
                diags,
            );
            let (Some(condition), Some(message)) = (
                assert.body.get_attribute("condition"),
                assert.body.get_attribute("error_message"),
            ) else {
                diags.push(
                    Diagnostic::error(format!(
                        "an `assert` of check `{name}` needs a `condition` and an `error_message`"
                    ))
                    .at(decl.file.span(assert.ident.span()))
                    .help("write `condition = <a bool>` and `error_message = \"what is wrong\"`"),
                );
                continue;
            };
            check_expr(&condition.value, decl.file, decls, allowed, diags);
            check_expr(&message.value, decl.file, decls, allowed, diags);
            // What evaluating finds wrong (an index out of range, a null) fails the check;
            // it is not an error of the configuration.
            let mut found = Vec::new();
            let value = scope.eval(
                &condition.value,
                None,
                decl.file,
                &mut found,
                &mut Vec::new(),
            );
            let failed_to_evaluate = found
                .iter()
                .find(|d| d.is_error())
                .map(|d| d.message.clone());
            match (value, failed_to_evaluate) {
                (_, Some(why)) => {
                    status = CheckStatus::Fail;
                    problems.push(format!("the condition cannot be evaluated: {why}"));
                }
                (Some(Value::Bool(true)) | None, None) => {}
                (Some(Value::Bool(false)), None) => {
                    status = CheckStatus::Fail;
                    let mut quiet = Vec::new();
                    let text = match scope.eval(
                        &message.value,
                        None,
                        decl.file,
                        &mut quiet,
                        &mut Vec::new(),
                    ) {
                        Some(Value::String(s)) => s.to_string(),
                        Some(v) if v.is_known() => v.to_string(),
                        _ => "(the error message is known only after apply)".to_owned(),
                    };
                    problems.push(text);
                }
                (Some(v), None) if !v.is_known() => {
                    if status == CheckStatus::Pass {
                        status = CheckStatus::Unknown;
                    }
                }
                (Some(v), None) => {
                    diags.push(
                        Diagnostic::error(format!(
                            "the `condition` of check `{name}` must be a bool, got {}",
                            v.type_name()
                        ))
                        .at(decl.file.span(condition.value.span())),
                    );
                }
            }
        }
        out.push(CheckResult {
            name: name.clone(),
            status,
            problems,
            at: decl.position(),
        });
    }
    out
}
