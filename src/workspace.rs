//! Workspaces: one configuration, one state per workspace (Terraform's workspaces). The
//! local backend keeps a workspace's state in `vpcep.state.d/NAME/` beside the default one
//! (Terraform's `terraform.tfstate.d`), the pg backend under the name `STATE_NAME/NAME`; the
//! selected workspace is recorded in `.vpcep/environment` (`VPCEP_WORKSPACE` chooses one for
//! a run), and expressions read it as `vpcep.workspace`.

use crate::app::{self, Env, Failure, StateLocation, fail};
use crate::model::{DEFAULT_WORKSPACE, RecordedState, Settings};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where `vpcep workspace select` records the choice, in the configuration directory.
pub const ENVIRONMENT_FILE: &str = ".vpcep/environment";

/// The directory of the local backend's other workspaces, beside the default state.
pub const STATES_DIR: &str = "vpcep.state.d";

/// A workspace name: 1 to 64 letters, digits, `-` and `_`, not starting with `-`.
pub fn check_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a workspace name: use 1 to 64 letters, digits, `-` and `_` (e.g. `staging`)"
        ))
    }
}

/// The workspace `vpcep workspace select` last chose in `dir` (`default` when none).
pub fn selected(dir: &Path) -> Result<String, String> {
    let path = dir.join(ENVIRONMENT_FILE);
    match crate::fsio::read_text(&path, 4096, "the selected workspace") {
        Ok(text) => {
            let name = text.trim().to_owned();
            check_name(&name).map_err(|e| {
                format!(
                    "{}: {e}; select one again with `vpcep workspace select NAME`",
                    path.display()
                )
            })?;
            Ok(name)
        }
        Err(e) if e.not_found => Ok(DEFAULT_WORKSPACE.to_owned()),
        Err(e) => Err(e.message),
    }
}

/// The local state file of `workspace`, given the default workspace's.
pub fn local_path(base: &Path, workspace: &str) -> PathBuf {
    if workspace == DEFAULT_WORKSPACE {
        return base.to_path_buf();
    }
    let file = base
        .file_name()
        .map_or_else(|| PathBuf::from("vpcep.state.json"), PathBuf::from);
    base.parent()
        .unwrap_or_else(|| Path::new(""))
        .join(STATES_DIR)
        .join(workspace)
        .join(file)
}

/// The pg backend's state name of `workspace`.
pub fn pg_name(state_name: &str, workspace: &str) -> String {
    if workspace == DEFAULT_WORKSPACE {
        state_name.to_owned()
    } else {
        format!("{state_name}/{workspace}")
    }
}

/// The workspaces the backend has, `default` first.
pub fn list(env: &Env, settings: &Settings) -> Result<Vec<String>, Failure> {
    let mut names = match app::state_location_of(env, settings, None, DEFAULT_WORKSPACE)? {
        StateLocation::Local(base) => {
            let dir = base
                .parent()
                .unwrap_or_else(|| Path::new(""))
                .join(STATES_DIR);
            let file = base.file_name().map(PathBuf::from).unwrap_or_default();
            let mut found: Vec<String> = std::fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| e.path().join(&file).exists())
                        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                        .filter(|n| check_name(n).is_ok())
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            found
        }
        StateLocation::Pg {
            conn_str,
            schema,
            name,
        } => {
            let prefix = format!("{name}/");
            crate::state::pg::state_names(&conn_str, &schema)?
                .into_iter()
                .filter_map(|n| n.strip_prefix(&prefix).map(str::to_owned))
                .filter(|n| check_name(n).is_ok())
                .collect()
        }
    };
    names.retain(|n| n != DEFAULT_WORKSPACE);
    names.insert(0, DEFAULT_WORKSPACE.to_owned());
    Ok(names)
}

/// Makes the workspace `name` with an empty state; refused when it exists.
pub fn create(
    env: &Env,
    settings: &Settings,
    name: &str,
    lock_timeout: Duration,
) -> Result<(), Failure> {
    check_name(name).map_err(fail)?;
    if list(env, settings)?.iter().any(|n| n == name) {
        return Err(fail(format!(
            "the workspace `{name}` exists; select it with `vpcep workspace select {name}`"
        )));
    }
    let location = app::state_location_of(env, settings, None, name)?;
    if let StateLocation::Local(path) = &location
        && let Some(parent) = path.parent()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| fail(format!("cannot create `{}`: {e}", parent.display())))?;
    }
    let mut store = app::open_store(&location, Some(("workspace new", lock_timeout)))?;
    store.write(&RecordedState::new())?;
    Ok(())
}

/// Records `name` as the selected workspace of the configuration directory.
pub fn select(env: &Env, name: &str) -> Result<(), Failure> {
    check_name(name).map_err(fail)?;
    let path = env.dir.join(ENVIRONMENT_FILE);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| fail(format!("cannot create `{}`: {e}", parent.display())))?;
    }
    crate::fsio::write_atomic(&path, format!("{name}\n").as_bytes()).map_err(|e| fail(e.message))
}

/// Deletes the workspace `name` and its state: never `default` nor the selected one, and
/// never one whose state still records resources (destroy them, or move them, first).
pub fn delete(
    env: &Env,
    settings: &Settings,
    name: &str,
    lock_timeout: Duration,
) -> Result<(), Failure> {
    check_name(name).map_err(fail)?;
    if name == DEFAULT_WORKSPACE {
        return Err(fail("the `default` workspace cannot be deleted"));
    }
    if name == env.workspace {
        return Err(fail(format!(
            "`{name}` is the workspace in use; select another first (`vpcep workspace select default`)"
        )));
    }
    if !list(env, settings)?.iter().any(|n| n == name) {
        return Err(fail(format!(
            "there is no workspace `{name}`; `vpcep workspace list` shows them"
        )));
    }
    let location = app::state_location_of(env, settings, None, name)?;
    let mut store = app::open_store(&location, Some(("workspace delete", lock_timeout)))?;
    if let Some(state) = store.read()?
        && !state.resources.is_empty()
    {
        return Err(fail(format!(
            "the workspace `{name}` still records {} resource{}; destroy them first (`VPCEP_WORKSPACE={name} vpcep destroy`) or move them, so nothing is left unmanaged",
            state.resources.len(),
            if state.resources.len() == 1 { "" } else { "s" }
        )));
    }
    drop(store);
    match location {
        StateLocation::Local(path) => {
            if let Some(dir) = path.parent() {
                std::fs::remove_dir_all(dir)
                    .map_err(|e| fail(format!("cannot remove `{}`: {e}", dir.display())))?;
            }
        }
        StateLocation::Pg {
            conn_str,
            schema,
            name,
        } => crate::state::pg::delete_state(&conn_str, &schema, &name)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_places() {
        assert!(check_name("staging-2").is_ok());
        for bad in ["", "-x", "a/b", "a b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            local_path(Path::new("./vpcep.state.json"), "staging"),
            Path::new("./vpcep.state.d/staging/vpcep.state.json")
        );
        assert_eq!(
            local_path(Path::new("state/x.json"), "default"),
            Path::new("state/x.json")
        );
        assert_eq!(pg_name("infra", "prod"), "infra/prod");
        assert_eq!(pg_name("infra", "default"), "infra");
    }
}
