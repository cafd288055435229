//! `vpcep show`: the recorded resources, per service its status, backend, port mappings,
//! whitelist, tags, approval and connections (the console's "summary" and "port mappings").

use super::output::{complain, say, say_raw};
use super::session::{self, fail};
use super::{Format, Globals, ShowArgs, StateArgs};
use crate::config::VarArg;
use crate::model::{RecordedResource, RecordedState, ResourceType, Value};
use std::fmt::Write as _;

/// Reads the state without locking (for commands that only look).
pub(crate) fn read_state(
    globals: &Globals,
    args: &StateArgs,
    vars: &[VarArg],
) -> Result<(RecordedState, String), super::failure::Failure> {
    let snapshot = session::snapshot(globals, vars)?;
    read_state_of(globals, args, &snapshot)
}

fn read_state_of(
    globals: &Globals,
    args: &StateArgs,
    snapshot: &session::Snapshot,
) -> Result<(RecordedState, String), super::failure::Failure> {
    let mut store = session::store_for(globals, &snapshot.settings, args.state.as_ref(), None)?;
    let state = store.read().map_err(fail)?.unwrap_or_default();
    Ok((state, store.describe()))
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// A list attribute as `a, b, c`, or `empty` when it has no elements.
fn joined(v: &Value, empty: &str) -> String {
    let items: Vec<String> = v.as_list().unwrap_or_default().iter().map(s).collect();
    if items.is_empty() {
        empty.to_owned()
    } else {
        items.join(", ")
    }
}

fn connections(r: &RecordedResource, out: &mut String) {
    let list = r.attr("connections").as_list().unwrap_or_default();
    if list.is_empty() {
        let n = r.attr("connection_count").as_i64().unwrap_or(0);
        let _ = writeln!(out, "  connections:   {n} accepted or creating");
        return;
    }
    let _ = writeln!(out, "  connections:");
    for c in list.iter().filter_map(Value::as_map) {
        let get = |k: &str| c.get(k).map(s).unwrap_or_default();
        let _ = writeln!(
            out,
            "    {} (account {}): {}",
            get("endpoint_id"),
            get("domain_id"),
            get("status")
        );
    }
}

fn service(r: &RecordedResource, out: &mut String) {
    let a = |n: &str| s(r.attr(n));
    let _ = writeln!(out, "  id:            {}", r.id);
    let _ = writeln!(out, "  service name:  {}", a("service_name"));
    let _ = writeln!(out, "  status:        {}", a("status"));
    let _ = writeln!(
        out,
        "  backend:       {} {} in VPC {}",
        a("server_type"),
        a("port_id"),
        a("vpc_id")
    );
    let _ = writeln!(
        out,
        "  type:          {}, tcp_proxy {}",
        a("service_type"),
        a("tcp_proxy")
    );
    let approval = if r.attr("approval_enabled").as_bool() == Some(false) {
        "not required (endpoints are accepted automatically)"
    } else {
        "required"
    };
    let _ = writeln!(out, "  approval:      {approval}");
    let _ = writeln!(
        out,
        "  port mappings: (protocol, client port -> server port)"
    );
    for p in r
        .attr("port")
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_map)
    {
        let get = |k: &str| p.get(k).map(s).unwrap_or_default();
        let _ = writeln!(
            out,
            "    {} {} -> {}",
            get("protocol"),
            get("client_port"),
            get("server_port")
        );
    }
    let _ = writeln!(
        out,
        "  whitelist:     {}",
        joined(r.attr("whitelist"), "(only this account)")
    );
    let tags: Vec<String> = r
        .attr("tags")
        .as_map()
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  tags:          {}",
        if tags.is_empty() {
            "-".to_owned()
        } else {
            tags.join(", ")
        }
    );
    if !r.attr("description").is_null() {
        let _ = writeln!(out, "  description:   {}", a("description"));
    }
    connections(r, out);
}

fn endpoint(r: &RecordedResource, out: &mut String) {
    let a = |n: &str| s(r.attr(n));
    let _ = writeln!(out, "  id:            {}", r.id);
    let _ = writeln!(
        out,
        "  service:       {} ({})",
        a("service_id"),
        a("service_name")
    );
    let _ = writeln!(out, "  status:        {}", a("status"));
    let _ = writeln!(
        out,
        "  address:       {} in VPC {}, subnet {}",
        a("ip"),
        a("vpc_id"),
        a("subnet_id")
    );
}

fn approval(r: &RecordedResource, out: &mut String) {
    let _ = writeln!(out, "  service:       {}", s(r.attr("service_id")));
    let _ = writeln!(out, "  accepts:       {}", joined(r.attr("endpoints"), "-"));
    connections(r, out);
}

/// The resource with its sensitive attributes' values replaced by `(sensitive value)`.
pub(crate) fn redacted(r: &RecordedResource) -> std::borrow::Cow<'_, RecordedResource> {
    if r.sensitive.is_empty() {
        return std::borrow::Cow::Borrowed(r);
    }
    let mut r = r.clone();
    for name in &r.sensitive {
        if let Some(v) = r.attrs.get_mut(name) {
            *v = Value::from(super::output::SENSITIVE);
        }
    }
    std::borrow::Cow::Owned(r)
}

pub(crate) fn render(state: &RecordedState, location: &str) -> String {
    let mut out = String::new();
    if state.resources.is_empty() {
        let _ = writeln!(out, "No resources are recorded in {location}.");
        return out;
    }
    for r in state.resources.values() {
        let r = redacted(r);
        let r = r.as_ref();
        let _ = writeln!(out, "{}", r.address);
        match r.address.rtype() {
            ResourceType::Service => service(r, &mut out),
            ResourceType::Endpoint => endpoint(r, &mut out),
            ResourceType::Approval => approval(r, &mut out),
        }
        out.push('\n');
    }
    if !state.outputs.is_empty() {
        let _ = writeln!(out, "Outputs:");
        for (k, o) in &state.outputs {
            let v = if o.sensitive {
                "(sensitive value)".to_owned()
            } else {
                o.value.to_string()
            };
            let _ = writeln!(out, "  {k} = {v}");
        }
    }
    out
}

/// Renders a saved plan in any format.
fn show_plan_file(
    globals: &Globals,
    path: &std::path::Path,
    format: Format,
) -> super::failure::Outcome {
    let text = match crate::fsio::read_text(path, crate::fsio::MAX_STATE_FILE, "the plan file") {
        Ok(t) => t,
        Err(e) => return Err(fail(e)),
    };
    let saved = match crate::planfile::decode(&text) {
        Ok(s) => s,
        Err(e) => return Err(fail(format!("`{}` cannot be shown: {e}", path.display()))),
    };
    let options = crate::config::LoadOptions {
        dir: globals.dir.clone(),
        shown_dir: Some(globals.shown_dir()),
        computed: saved.state.computed_values(),
        sources: Some(saved.sources.clone()),
        var_values: Some(saved.variables.clone()),
        ..crate::config::LoadOptions::default()
    };
    let loaded = crate::config::load(&options);
    super::output::remember_secrets(&loaded.secrets);
    let Some(desired) = loaded.desired else {
        super::print_diagnostics(globals, &loaded.diagnostics);
        return Err(fail("the configuration saved in the plan has errors"));
    };
    let view = super::plan::View {
        plan: &saved.plan,
        prior: &saved.state,
        desired: &desired,
        cloud: saved.cloud.clone(),
        simulated: saved.simulated,
    };
    say_raw!(
        "{}",
        view.render(
            format,
            crate::render::style::Style {
                color: globals.color_out
            }
        )
    );
    Ok(0)
}

/// Shows the recorded resources as the cloud reports them now (statuses and connections
/// change outside vpcep), or a saved plan; changes nothing, takes no lock.
pub(crate) fn run(globals: &Globals, args: &ShowArgs, vars: &[VarArg]) -> super::failure::Outcome {
    if let Some(file) = &args.plan_file {
        return show_plan_file(globals, file, args.format);
    }
    if args.format == Format::Markdown {
        return Err(fail(
            "`--format markdown` is for plans; use `vpcep show PLANFILE --format markdown`",
        ));
    }
    let snapshot = session::snapshot(globals, vars)?;
    let (mut state, location) = read_state_of(globals, &args.common, &snapshot)?;
    let mut header = String::new();
    if !state.resources.is_empty() {
        let cloud = session::open_cloud(globals, &snapshot.settings)?;
        match crate::refresh::refresh(cloud.as_ref(), &state) {
            Ok(refreshed) => {
                let simulated = if cloud.is_simulated() {
                    " — not a real cloud"
                } else {
                    ""
                };
                header = format!("As {} reports it now{simulated}:\n\n", cloud.describe());
                for d in &refreshed.drift {
                    if let crate::plan::Drift::Deleted { address, .. } = d {
                        let _ = writeln!(
                            header,
                            "Note: `{address}` is recorded but no longer exists in the cloud\n"
                        );
                    }
                }
                state = refreshed.state;
            }
            Err(e) => complain!(
                "warning: cannot read {} ({e}); showing the recorded state",
                cloud.describe()
            ),
        }
    }
    if args.format == Format::Json {
        say!("{}", crate::render::json::state_values(&state));
    } else {
        say_raw!("{header}{}", render(&state, &location));
    }
    Ok(0)
}
