//! `MIGRATION.md`: what a migration converted, what it left in Terraform and why, the values it
//! took from Terraform's state, and the two commands that finish the move.

use super::tfstate::TfState;
use crate::config::migrate::{Conversion, Input};
use crate::diag::Diagnostic;
use crate::model::RecordedState;
use std::fmt::Write as _;
use std::path::Path;

pub(super) struct Context<'a> {
    pub tf_dir: &'a Path,
    pub state_path: &'a Path,
    pub state: &'a TfState,
    pub out: &'a Path,
    pub conversion: &'a Conversion,
    pub recorded: &'a RecordedState,
    pub inputs: &'a [(Input, Option<serde_json::Value>)],
    pub notes: &'a [String],
    pub state_rm: &'a [String],
    pub attention: &'a [Diagnostic],
}

/// A table cell or list item: pipes and line breaks would end it, and no control character
/// reaches a terminal that shows the file.
fn cell(text: &str) -> String {
    crate::diag::escape_controls(&text.replace('|', "\\|")).into_owned()
}

/// `## Converted`: each moved resource's instances, Terraform address to vpcep address to
/// cloud ID.
fn converted(md: &mut String, c: &Context<'_>) {
    let _ = writeln!(md, "## Converted\n");
    if c.conversion.moved.is_empty() {
        let _ = writeln!(md, "No VPCEP resource: there was nothing to move.\n");
    } else {
        let _ = writeln!(md, "| Terraform | vpcep | cloud ID |\n|---|---|---|");
        for moved in &c.conversion.moved {
            let instances: Vec<_> = c
                .recorded
                .resources
                .values()
                .filter(|r| {
                    r.address.rtype() == moved.kind.rtype && r.address.resource.name == moved.name
                })
                .collect();
            if instances.is_empty() {
                let _ = writeln!(
                    md,
                    "| `{}.{}` ({}) | `{}.{}` | not in Terraform's state |",
                    moved.tf_type,
                    moved.name,
                    moved.at,
                    moved.kind.rtype.as_str(),
                    moved.name
                );
            }
            for r in instances {
                let tf = format!("{}.{}", moved.tf_type, moved.name);
                let suffix = r
                    .address
                    .key
                    .as_deref()
                    .map(crate::model::Address::key_text)
                    .unwrap_or_default();
                let _ = writeln!(
                    md,
                    "| `{tf}{suffix}` ({}) | `{}` | `{}` |",
                    moved.at, r.address, r.id
                );
            }
        }
        let _ = writeln!(md);
        let _ = writeln!(
            md,
            "Provider blocks became `provider \"otc\"` blocks with the same sign-in attributes and aliases (`huaweicloud` ones with `profile = \"huawei\"`). Where the Terraform provider has a default of its own, it is written out, so nothing changes meaning. Comments, variables, locals, outputs, `for_each`/`count`, `depends_on` and `lifecycle` are carried over.\n"
        );
    }
}

/// `## Finish the move`: the plan that must show no changes, and Terraform's `state rm`.
fn finish(md: &mut String, c: &Context<'_>) {
    let _ = writeln!(md, "## Finish the move\n");
    let _ = writeln!(
        md,
        "1. Check that vpcep sees the cloud as Terraform did: the plan must show **no changes**.\n\n   ```sh\n   vpcep -C {} plan --detailed-exitcode   # exit code 0: nothing to change\n   ```\n",
        c.out.display()
    );
    if c.state_rm.is_empty() {
        let _ = writeln!(
            md,
            "2. Terraform's state records none of the converted resources; nothing to remove there."
        );
    } else {
        let addresses: Vec<String> = c.state_rm.iter().map(|a| format!("'{a}'")).collect();
        let _ = writeln!(
            md,
            "2. Then let Terraform forget them (this deletes nothing in the cloud), and delete their blocks from the `*.tf` files:\n\n   ```sh\n   cd {}\n   terraform state rm {}\n   ```\n\n   From then on `vpcep plan` and `vpcep apply` manage them; `terraform plan` must no longer mention them.",
            c.tf_dir.display(),
            addresses.join(" ")
        );
    }
}

pub(super) fn markdown(c: &Context<'_>) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Moving from Terraform\n");
    let _ = writeln!(
        md,
        "`vpcep migrate` converted the Terraform configuration in `{}` and its state `{}` (serial {}, lineage `{}`) into this directory. It changed nothing in the cloud and nothing in the Terraform directory.\n",
        c.tf_dir.display(),
        c.state_path.display(),
        c.state.serial,
        c.state.lineage
    );
    converted(&mut md, c);
    if !c.inputs.is_empty() {
        let _ = writeln!(md, "## Values taken from Terraform\n");
        let _ = writeln!(
            md,
            "The configuration read these from resources that stay in Terraform. They are variables in `from_terraform.hcl`, with the values Terraform's state recorded as defaults; update them (or pass `--var`) when those resources change.\n"
        );
        let _ = writeln!(md, "| variable | Terraform | value |\n|---|---|---|");
        for (input, value) in c.inputs {
            let shown = match value {
                Some(v) => format!("`{}`", cell(&v.to_string())),
                None => "**none: set it** (`--var` or `VPCEP_VAR_…`)".to_owned(),
            };
            let _ = writeln!(
                md,
                "| `var.{}` | `{}` | {shown} |",
                input.var,
                input.origin()
            );
        }
        let _ = writeln!(md);
    }
    if !c.conversion.left.is_empty() {
        let _ = writeln!(md, "## Left in Terraform\n");
        for left in &c.conversion.left {
            let _ = writeln!(md, "- `{}` ({}): {}", cell(&left.what), left.at, left.why);
        }
        let _ = writeln!(md);
    }
    if !c.conversion.dropped.is_empty() || !c.notes.is_empty() {
        let _ = writeln!(md, "## Not carried over, and worth knowing\n");
        for d in &c.conversion.dropped {
            let _ = writeln!(md, "- {} ({}): {}", cell(&d.what), d.at, d.why);
        }
        for note in c.notes {
            let _ = writeln!(md, "- {note}");
        }
        if let Some(backend) = &c.conversion.backend {
            let _ = writeln!(
                md,
                "- Terraform kept its state in the `{backend}` backend; vpcep's is `vpcep.state.json` here until you add a `backend` block (`backend \"pg\"` for a shared one) and run `vpcep init`."
            );
        }
        let _ = writeln!(md);
    }
    if !c.attention.is_empty() {
        let _ = writeln!(md, "## Needs attention before `vpcep plan`\n");
        for d in c.attention {
            let at = d
                .location
                .as_ref()
                .map(|l| format!("{}:{}: ", l.file, l.line))
                .unwrap_or_default();
            let help = d
                .help
                .as_deref()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            let _ = writeln!(md, "- {at}{}{help}", d.message);
        }
        let _ = writeln!(md);
    }
    finish(&mut md, c);
    md
}
