//! Checks the attribute and block names of a body against what is allowed there.

use super::syntax::{Block, Body, Ident, Structure};
use crate::diag::{Diagnostic, SourceFile};
use std::ops::Range;

/// The closest candidate to a misspelt name, if one is close enough to suggest.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name_lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let c_lower = c.to_lowercase();
            let prefix = name_lower.len() >= 3 && c_lower.starts_with(&name_lower);
            let distance = if prefix {
                1
            } else {
                strsim::levenshtein(&name_lower, &c_lower)
            };
            (distance, c)
        })
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "did you mean `x`?" or the list of valid names.
pub(crate) fn suggestion(name: &str, candidates: &[&str]) -> Option<String> {
    if let Some(best) = closest(name, candidates.iter().copied()) {
        return Some(format!("did you mean `{best}`?"));
    }
    if candidates.is_empty() {
        None
    } else {
        let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
        Some(format!("valid names here: {}", list.join(", ")))
    }
}

/// The span of a block's header: its type and labels.
pub(crate) fn header_span(block: &Block) -> Option<Range<usize>> {
    let start = block.ident.span()?.start;
    let end = block
        .labels
        .last()
        .and_then(Ident::span)
        .or_else(|| block.ident.span())?
        .end;
    Some(start..end)
}

/// Reports every attribute and block of `body` whose name is not allowed, suggesting the
/// closest valid one. `place` describes the body, e.g. "a `port` block".
pub(crate) fn check_names(
    file: &SourceFile,
    body: &Body,
    place: &str,
    attrs: &[&str],
    blocks: &[&str],
    diags: &mut Vec<Diagnostic>,
) {
    let all: Vec<&str> = attrs.iter().chain(blocks).copied().collect();
    for structure in body {
        match structure {
            Structure::Attribute(attr) => {
                let name = attr.key.as_str();
                if attrs.contains(&name) {
                    continue;
                }
                let d = if blocks.contains(&name) {
                    Diagnostic::error(format!("`{name}` is a block in {place}, not an attribute"))
                        .help(format!("write it as `{name} {{ ... }}`, without `=`"))
                } else {
                    Diagnostic::error(format!("unknown attribute `{name}` in {place}"))
                        .help_opt(special_help(name).or_else(|| suggestion(name, &all)))
                };
                diags.push(d.at(file.span(attr.key.span())));
            }
            Structure::Block(block) => {
                let name = block.ident.as_str();
                if blocks.contains(&name) {
                    // `dynamic "port"` names its block (checked where it is desugared), and a
                    // `check`'s scoped `data "TYPE" "NAME"` is read as a data source.
                    if !block.labels.is_empty() && name != "dynamic" && name != "data" {
                        diags.push(
                            Diagnostic::error(format!("a `{name}` block takes no labels"))
                                .at(file.span(header_span(block)))
                                .help(format!("write it as `{name} {{ ... }}`")),
                        );
                    }
                    continue;
                }
                let d = if attrs.contains(&name) {
                    Diagnostic::error(format!("`{name}` is an attribute in {place}, not a block"))
                        .help(format!("write it as `{name} = ...`"))
                } else {
                    Diagnostic::error(format!("unknown block `{name}` in {place}"))
                        .help_opt(special_help(name).or_else(|| suggestion(name, &all)))
                };
                diags.push(d.at(file.span(block.ident.span())));
            }
        }
    }
}

/// Terraform features users reach for that vpcep does not have, with what to do instead.
fn special_help(name: &str) -> Option<String> {
    Some(match name {
        "provider" => {
            "`provider = TYPE.ALIAS` goes directly in a `resource` or `data` block".into()
        }
        "create_before_destroy" | "replace_triggered_by" | "ignore_changes" | "prevent_destroy" => {
            format!("`{name}` goes in the resource's `lifecycle {{ ... }}` block")
        }
        // The Terraform providers' names (`vpcep migrate` converts whole configurations).
        "port_mapping" => "vpcep's port mapping block is `port { server_port = ...  client_port = ... }` (the huaweicloud provider's `port_mapping`; `vpcep migrate` converts Terraform configurations)".into(),
        "permissions" => "vpcep's list of accounts allowed to connect is `whitelist` (the huaweicloud provider's `permissions`)".into(),
        "service_port" => "vpcep calls the backend's port `server_port` (the huaweicloud provider's `service_port`)".into(),
        "terminal_port" => "vpcep calls the port clients connect to `client_port` (the huaweicloud provider's `terminal_port`)".into(),
        "approval" => "vpcep's is `approval_enabled` (the huaweicloud provider's `approval`)".into(),
        "network_id" => "vpcep's is `subnet_id` (the huaweicloud provider's `network_id`)".into(),
        "routetables" => "vpcep's is `route_tables` (the huaweicloud provider's `routetables`)".into(),
        "dynamic" => "`dynamic` generates a resource's nested blocks (`port`, `policy_statement`) and goes directly in the `resource` block".into(),
        _ => return None,
    })
}

/// The single block named `name` in `body`; further ones are reported as duplicates.
pub(crate) fn single_block<'a>(
    file: &SourceFile,
    body: &'a Body,
    name: &'a str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a Block> {
    let mut blocks = body.get_blocks(name);
    let first = blocks.next()?;
    for extra in blocks {
        diags.push(
            Diagnostic::error(format!("more than one `{name}` block"))
                .at(file.span(extra.ident.span()))
                .help(format!("merge the `{name}` blocks into one")),
        );
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            closest("prot", ["protocol", "server_port"]),
            Some("protocol")
        );
        assert_eq!(
            closest("protocl", ["protocol", "server_port"]),
            Some("protocol")
        );
        assert_eq!(
            closest("server_prot", ["protocol", "server_port"]),
            Some("server_port")
        );
        assert_eq!(closest("zzz", ["protocol"]), None);
    }
}
