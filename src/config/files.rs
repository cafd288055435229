//! Finds and parses the `*.hcl` files of a configuration directory.

use crate::diag::{Diagnostic, SourceFile};
use hcl::edit::structure::Body;
use std::path::Path;

pub(crate) struct ParsedFile {
    pub source: SourceFile,
    pub body: Body,
}

/// How a file in `dir` is shown in diagnostics: relative to where the user ran the command.
pub(crate) fn display_path(dir: &Path, name: &str) -> String {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        name.to_owned()
    } else {
        dir.join(name).display().to_string()
    }
}

/// Reads every `*.hcl` file of `dir`, sorted by name: `(display name, text)` pairs.
///
/// Files that cannot be read produce diagnostics and are left out.
pub fn read_dir(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!(
                    "cannot read the configuration directory `{}`: {e}",
                    dir.display()
                ))
                .help("pass the directory that holds your *.hcl files with `-C DIR`"),
            );
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "hcl") && !n.starts_with('.'))
        .collect();
    names.sort();
    if names.is_empty() {
        diags.push(
            Diagnostic::error(format!(
                "no configuration files (*.hcl) in `{}`",
                dir.display()
            ))
            .help("run vpcep in the directory of your configuration, or pass it with `-C DIR`"),
        );
    }
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let display = display_path(dir, &name);
        let text = match crate::fsio::read_text(
            &dir.join(&name),
            crate::fsio::MAX_CONFIG_FILE,
            "the configuration file",
        ) {
            Ok(text) => text,
            Err(e) => {
                diags.push(Diagnostic::error(
                    e.message.replace(&e.path.display().to_string(), &display),
                ));
                continue;
            }
        };
        files.push((display, text));
    }
    files
}

/// Parses configuration sources; files with syntax errors produce diagnostics and are left out.
pub(crate) fn parse_all(
    sources: &[(String, String)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<ParsedFile> {
    let mut files = Vec::with_capacity(sources.len());
    for (index, (display, text)) in sources.iter().enumerate() {
        let source = SourceFile::new(display.clone(), text.clone(), index);
        if let Some(body) = parse(&source, diags) {
            files.push(ParsedFile { source, body });
        }
    }
    files
}

/// Parses one file; a syntax error becomes a diagnostic at its position.
pub(crate) fn parse(source: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Body> {
    match hcl::edit::parser::parse_body(&source.text) {
        Ok(body) => Some(body),
        Err(e) => {
            let offset = e.location().offset();
            diags.push(
                Diagnostic::error(format!("invalid HCL syntax: {}", e.message()))
                    .at(Some(source.location(&(offset..offset + 1)))),
            );
            None
        }
    }
}
