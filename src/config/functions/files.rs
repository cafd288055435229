//! Functions that read the configuration's directory: `file`, `templatefile`, `fileexists`,
//! `abspath`, and the fallbacks of `try` and `can` (see `super::super::lazy`). A relative path
//! is inside the configuration directory (the one `-C` names), as `path.module` is.

// hcl-rs calls functions through `fn(FuncArgs) -> ...` pointers: arguments come by value.
#![allow(clippy::needless_pass_by_value)]

use super::want_str;
use hcl::Value;
use hcl::eval::{Evaluate as _, FuncArgs};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

thread_local! {
    /// The configuration directory of the evaluation running on this thread.
    static DIR: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// Sets the directory relative paths are read from while the guard lives (one evaluation;
/// hcl-rs functions are plain function pointers and cannot carry it).
pub(crate) struct InDir(Option<PathBuf>);

pub(crate) fn enter(dir: &Path) -> InDir {
    InDir(DIR.with(|d| d.replace(Some(dir.to_path_buf()))))
}

impl Drop for InDir {
    fn drop(&mut self) {
        let previous = self.0.take();
        DIR.with(|d| *d.borrow_mut() = previous);
    }
}

fn resolved(path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    DIR.with(|d| d.borrow().clone())
        .unwrap_or_else(|| PathBuf::from("."))
        .join(p)
}

fn read(path: &str) -> Result<String, String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    crate::fsio::read_text(&resolved(path), crate::fsio::MAX_VAR_FILE, "the file").map_err(|e| {
        e.message
            .replace(&resolved(path).display().to_string(), path)
    })
}

/// `file(path)`: the file's text (UTF-8).
pub(super) fn file(args: FuncArgs) -> Result<Value, String> {
    read(want_str(&args[0], "the path")?).map(Value::String)
}

pub(super) fn fileexists(args: FuncArgs) -> Result<Value, String> {
    let path = want_str(&args[0], "the path")?;
    Ok(Value::Bool(resolved(path).is_file()))
}

/// `templatefile(path, vars)`: the file rendered as a template (`${...}`, `%{ for }`,
/// `%{ if }`), reading only `vars` and the functions.
pub(super) fn templatefile(args: FuncArgs) -> Result<Value, String> {
    let path = want_str(&args[0], "the path")?;
    let vars = super::want_map(&args[1], "the template variables")?;
    let text = read(path)?;
    let template: hcl::Template = text
        .parse()
        .map_err(|e: hcl::Error| format!("`{path}` is not a valid template: {e}"))?;
    let mut ctx = super::context();
    for (name, value) in vars {
        ctx.declare_var(name.as_str(), value.clone());
    }
    let rendered = template
        .evaluate(&ctx)
        .map_err(|e| format!("cannot render `{path}`: {}", e.kind()))?;
    super::super::budget::volume(rendered.len() as u64)?;
    Ok(Value::String(rendered))
}

/// `abspath(path)`: the absolute path, relative paths taken inside the configuration
/// directory; `.` and `..` are resolved, links are not.
pub(super) fn abspath(args: FuncArgs) -> Result<Value, String> {
    let path = want_str(&args[0], "the path")?;
    let base = std::path::absolute(resolved(path))
        .map_err(|e| format!("cannot make `{path}` absolute: {e}"))?;
    let mut out = PathBuf::new();
    for part in base.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(Value::String(out.display().to_string()))
}

/// `try` where vpcep could not evaluate it itself (inside a `for`): every argument evaluated,
/// the first one is the value.
pub(super) fn try_all(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .next()
        .cloned()
        .ok_or_else(|| "`try` needs at least one argument".to_owned())
}

/// `can` where vpcep could not evaluate it itself: its argument evaluated, so true.
pub(super) fn can_all(args: FuncArgs) -> Result<Value, String> {
    if args.len() == 1 {
        Ok(Value::Bool(true))
    } else {
        Err(format!("`can` takes one argument, got {}", args.len()))
    }
}
