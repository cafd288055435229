//! `vpcep migrate TERRAFORM_DIR`: moves a Terraform configuration of VPCEP resources and its
//! state to vpcep (`crate::migrate`), then says what it wrote and what finishes the move.

use super::environment::Globals;
use super::failure::Outcome;
use super::output::say;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
pub(crate) struct MigrateArgs {
    /// The Terraform configuration's directory (its `*.tf` files)
    #[arg(value_name = "TERRAFORM_DIR")]
    tf_dir: PathBuf,
    /// Terraform's state file (default: `TERRAFORM_DIR/terraform.tfstate`; for a remote
    /// backend, the file `terraform state pull` writes)
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Where to write the vpcep configuration, state and MIGRATION.md: a new or empty
    /// directory (default: `vpcep/` beside `TERRAFORM_DIR`)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(crate) fn run(globals: &Globals, args: &MigrateArgs) -> Outcome {
    let request = crate::migrate::Request {
        tf_dir: args.tf_dir.clone(),
        state: args.state.clone(),
        out: args.out.clone(),
    };
    let done = match crate::migrate::migrate(&request) {
        Ok(done) => done,
        Err(diagnostics) => {
            let mut failure = super::failure::fail(format!(
                "nothing was written: `{}` could not be migrated",
                args.tf_dir.display()
            ));
            failure.diagnostics = diagnostics;
            return Err(failure);
        }
    };
    let out = done.out.display();
    say!(
        "Migrated {} resource(s) ({} instance(s) with their cloud IDs) from {} into {out}.",
        done.resources,
        done.instances,
        args.tf_dir.display()
    );
    say!("Wrote {}.", done.files.join(", "));
    if done.inputs > 0 {
        say!(
            "{} value(s) read from what stays in Terraform are variables in from_terraform.hcl.",
            done.inputs
        );
    }
    if done.left > 0 {
        say!(
            "{} block(s) stay in Terraform; MIGRATION.md says which and why.",
            done.left
        );
    }
    if !done.attention.is_empty() {
        super::diagnostics::print_diagnostics(globals, &done.attention);
        say!(
            "The converted configuration needs attention ({} problem(s) above, listed in MIGRATION.md) before `vpcep plan`.",
            done.attention.len()
        );
    }
    say!("");
    say!("Finish the move:");
    say!("  vpcep -C {out} plan --detailed-exitcode   # must show no changes (exit code 0)");
    if !done.state_rm.is_empty() {
        let quoted: Vec<String> = done.state_rm.iter().map(|a| format!("'{a}'")).collect();
        say!(
            "  cd {} && terraform state rm {}   # Terraform forgets them; nothing is deleted",
            args.tf_dir.display(),
            quoted.join(" ")
        );
    }
    Ok(u8::from(!done.attention.is_empty()))
}
