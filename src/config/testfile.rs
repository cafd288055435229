//! Test files (`*.tftest.hcl`, Terraform's syntax) read for `vpcep test`: file-level
//! `variables` and `provider "sim"` overrides, and `run` blocks with their `command`,
//! `variables`, `assert`s, `expect_failures` and `plan_options`. Expressions are kept as the
//! source text they are written as: the runner places them in the configuration it tests.

use super::files;
use crate::diag::Diagnostic;

/// A test file, read.
#[derive(Debug, Clone, Default)]
pub struct TestFile {
    /// `(name, expression text)`, file-level.
    pub variables: Vec<(String, String)>,
    /// The `provider "sim"` overrides.
    pub providers: Vec<crate::testcloud::Override>,
    pub runs: Vec<Run>,
}

/// One `run` block.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub name: String,
    /// `command = plan` (else apply).
    pub plan_only: bool,
    pub variables: Vec<(String, String)>,
    pub asserts: Vec<Assert>,
    /// As written: `var.NAME`, `TYPE.NAME[...]`, `check.NAME`, `output.NAME`.
    pub expect_failures: Vec<String>,
    pub refresh_only: bool,
    pub refresh: bool,
    pub replace: Vec<String>,
    pub target: Vec<String>,
    /// `file:line` of the block.
    pub at: String,
}

/// One `assert` of a run.
#[derive(Debug, Clone, Default)]
pub struct Assert {
    pub condition: String,
    pub error_message: String,
    pub at: String,
}

/// One file of a test, and how it names places in messages.
struct Reader<'a> {
    source: &'a crate::diag::SourceFile,
    display: &'a str,
}

impl Reader<'_> {
    /// An expression as written.
    fn text_of(&self, expr: &super::syntax::Expr) -> String {
        expr.span()
            .and_then(|r| self.source.text().get(r))
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    /// Where `block` is, as `file:line`.
    fn at(&self, block: &super::syntax::Block) -> String {
        block.ident.span().map_or_else(
            || self.display.to_owned(),
            |r| {
                let l = self.source.location(&r);
                format!("{}:{}", l.file, l.line)
            },
        )
    }

    /// A body's attributes as `(name, expression as written)`.
    fn assignments(&self, body: &super::syntax::Body) -> Vec<(String, String)> {
        body.attributes()
            .map(|a| (a.key.as_str().to_owned(), self.text_of(&a.value)))
            .collect()
    }

    /// A `provider` block: the simulated account a provider of the configuration is.
    fn provider(
        &self,
        block: &super::syntax::Block,
        diags: &mut Vec<Diagnostic>,
    ) -> crate::testcloud::Override {
        let mut o = crate::testcloud::Override::default();
        for (k, v) in self.assignments(&block.body) {
            let text = v.trim_matches('"').to_owned();
            let count = || text.parse::<u32>().ok();
            match k.as_str() {
                    "alias" => o.alias = Some(text),
                    "domain_id" => o.domain_id = Some(text.to_lowercase()),
                    "project_id" => o.project_id = Some(text.to_lowercase()),
                    "quota_services" => o.quota_services = count(),
                    "quota_endpoints" => o.quota_endpoints = count(),
                    other => diags.push(
                        Diagnostic::error(format!(
                            "a test's `provider` block sets `{other}`, which it cannot"
                        ))
                        .at(block.ident.span().map(|r| self.source.location(&r)))
                        .help("a test's provider is the simulated cloud: it sets `alias`, `domain_id`, `project_id`, `quota_services`, `quota_endpoints`"),
                    ),
                }
        }
        o
    }

    /// A `run` block: its command, variables, assertions and plan options; `None` without a
    /// name.
    fn run(&self, block: &super::syntax::Block, diags: &mut Vec<Diagnostic>) -> Option<Run> {
        let Some(name) = block.labels.first() else {
            diags.push(
                Diagnostic::error("a `run` block needs a name: `run \"NAME\" { ... }`")
                    .at(block.ident.span().map(|r| self.source.location(&r))),
            );
            return None;
        };
        let mut run = Run {
            name: name.as_str().to_owned(),
            refresh: true,
            at: self.at(block),
            ..Run::default()
        };
        for attr in block.body.attributes() {
            let value = self.text_of(&attr.value);
            match attr.key.as_str() {
                "command" => match value.as_str() {
                    "plan" => run.plan_only = true,
                    "apply" => {}
                    other => diags.push(
                        Diagnostic::error(format!("unknown command `{other}`"))
                            .at(attr.value.span().map(|r| self.source.location(&r)))
                            .help("write `command = plan` or `command = apply`"),
                    ),
                },
                "expect_failures" => run.expect_failures = list_items(&value),
                other => diags.push(
                    Diagnostic::error(format!("unknown attribute `{other}` in a `run` block"))
                        .at(attr.key.span().map(|r| self.source.location(&r)))
                        .help("a `run` sets `command` and `expect_failures`"),
                ),
            }
        }
        for nested in block.body.blocks() {
            match nested.ident.as_str() {
                "variables" => run.variables.extend(self.assignments(&nested.body)),
                "assert" => {
                    let get =
                        |k: &str| nested.body.get_attribute(k).map(|a| self.text_of(&a.value));
                    match (get("condition"), get("error_message")) {
                        (Some(condition), Some(error_message)) => {
                            run.asserts.push(Assert {
                                condition,
                                error_message,
                                at: self.at(nested),
                            });
                        }
                        _ => diags.push(
                            Diagnostic::error(
                                "an `assert` needs a `condition` and an `error_message`",
                            )
                            .at(nested.ident.span().map(|r| self.source.location(&r))),
                        ),
                    }
                }
                "plan_options" => {
                    for (k, v) in self.assignments(&nested.body) {
                        match k.as_str() {
                            "mode" => run.refresh_only = v == "refresh-only",
                            "refresh" => run.refresh = v != "false",
                            "replace" => run.replace = list_items(&v),
                            "target" => run.target = list_items(&v),
                            other => diags.push(
                                Diagnostic::error(format!(
                                    "unknown attribute `{other}` in `plan_options`"
                                ))
                                .at(nested.ident.span().map(|r| self.source.location(&r)))
                                .help(
                                    "`plan_options` sets `mode`, `refresh`, `replace` and `target`",
                                ),
                            ),
                        }
                    }
                }
                other => diags.push(
                    Diagnostic::error(format!("unknown block `{other}` in a `run`"))
                        .at(nested.ident.span().map(|r| self.source.location(&r)))
                        .help("a `run` holds `variables`, `assert` and `plan_options` blocks"),
                ),
            }
        }
        Some(run)
    }
}

/// Reads a test file (`display` names it in messages).
pub fn read(display: &str, text: &str) -> Result<TestFile, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let sources = [(display.to_owned(), std::sync::Arc::<str>::from(text))];
    let parsed = files::parse_all(&sources, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let mut out = TestFile::default();
    for file in &parsed {
        let source = &file.source;
        let reader = Reader { source, display };
        for attr in file.body.attributes() {
            diags.push(
                Diagnostic::error(format!(
                    "unknown attribute `{}` in a test file",
                    attr.key.as_str()
                ))
                .at(attr.key.span().map(|r| source.location(&r)))
                .help("a test file holds `variables`, `provider` and `run` blocks"),
            );
        }
        for block in file.body.blocks() {
            match block.ident.as_str() {
                "variables" => out.variables.extend(reader.assignments(&block.body)),
                "provider" => out.providers.push(reader.provider(block, &mut diags)),
                "run" => out.runs.extend(reader.run(block, &mut diags)),
                other => diags.push(
                    Diagnostic::error(format!("unknown block `{other}` in a test file"))
                        .at(block.ident.span().map(|r| source.location(&r)))
                        .help("a test file holds `variables`, `provider` and `run` blocks"),
                ),
            }
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(out)
    }
}

/// The items of a list written `[a, b["k"], c]`, as text.
fn list_items(text: &str) -> Vec<String> {
    let inner = text.trim().trim_start_matches('[').trim_end_matches(']');
    let mut items = Vec::new();
    let (mut depth, mut current) = (0i32, String::new());
    for c in inner.chars() {
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current);
    items
        .into_iter()
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty())
        .collect()
}

/// A JSON value as an HCL literal, to put an earlier run's output into an expression.
pub fn literal(value: &serde_json::Value) -> String {
    match serde_json::from_value::<hcl::Value>(value.clone()) {
        Ok(v) => {
            hcl::format::to_string(&hcl::Expression::from(v)).unwrap_or_else(|_| "null".to_owned())
        }
        Err(_) => "null".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_file_reads_as_terraform_writes_it() {
        let file = read(
            "t.tftest.hcl",
            r#"
variables {
  name = "orders"
}

provider "sim" {
  alias           = "partner"
  quota_endpoints = 0
}

run "create" {
  variables {
    port = 443
  }
  assert {
    condition     = vpcep_service.api.name == var.name
    error_message = "the name is ${vpcep_service.api.name}"
  }
}

run "refused" {
  command         = plan
  expect_failures = [vpcep_endpoint.e["a,b"], var.port]
  plan_options {
    mode    = refresh-only
    replace = [vpcep_service.api]
  }
}
"#,
        )
        .unwrap();
        assert_eq!(
            file.variables,
            [("name".to_owned(), "\"orders\"".to_owned())]
        );
        assert_eq!(file.providers[0].alias.as_deref(), Some("partner"));
        assert_eq!(file.providers[0].quota_endpoints, Some(0));
        assert_eq!(file.runs.len(), 2);
        assert_eq!(
            file.runs[0].asserts[0].condition,
            "vpcep_service.api.name == var.name"
        );
        assert!(file.runs[1].plan_only && file.runs[1].refresh_only);
        assert_eq!(
            file.runs[1].expect_failures,
            ["vpcep_endpoint.e[\"a,b\"]", "var.port"]
        );
        assert_eq!(file.runs[1].replace, ["vpcep_service.api"]);
        let err = read("bad.tftest.hcl", "run \"x\" {\n  comand = plan\n}\n").unwrap_err();
        assert!(
            err[0].message.contains("unknown attribute `comand`"),
            "{err:?}"
        );
        let compact: String = literal(&serde_json::json!({"a": [1, "x"]}))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert_eq!(compact, "{\"a\"=[1,\"x\"]}");
    }
}
