#!/usr/bin/env bash
# A scripted apply that relies on vpcep's exit codes:
#   plan --detailed-exitcode: 0 = nothing to do, 2 = changes, 1 = error or refused plan.
#   apply PLANFILE:           0 = applied, 1 = failed or stale (nothing is half-recorded).
#
# Usage: examples/ci/apply.sh CONFIG_DIR
set -uo pipefail
dir=${1:?usage: apply.sh CONFIG_DIR}
vpcep=${VPCEP:-vpcep}
plan_file=$(mktemp --suffix=.vpcep)
trap 'rm -f "$plan_file"' EXIT

"$vpcep" -C "$dir" plan --out "$plan_file" --detailed-exitcode
case $? in
  0) echo "vpcep: no changes"; exit 0 ;;
  2) echo "vpcep: applying the plan above" ;;
  *) echo "vpcep: plan failed or was refused; nothing was applied" >&2; exit 1 ;;
esac

# The JSON event stream says exactly what happened; keep it as the job's record.
if "$vpcep" -C "$dir" apply "$plan_file" --json > apply.jsonl; then
  echo "vpcep: applied ($(tail -n 1 apply.jsonl))"
else
  echo "vpcep: apply failed; see apply.jsonl (everything that completed is recorded)" >&2
  exit 1
fi
