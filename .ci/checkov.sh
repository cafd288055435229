#!/usr/bin/env bash
# Proves that policy tools that read Terraform plans accept vpcep's JSON plan: checkov's
# terraform_plan framework must parse the JSON plan of every example and really evaluate the
# example policies of examples/ci/checkov on its vpcep_service resources.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/ci-venv
if [ ! -x "$venv/bin/checkov" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==3.3.30"
fi
cargo build --quiet   # the debug build the tests already made
bin=$PWD/target/debug/vpcep
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# example name, then the expected passed and failed check counts
while read -r example passed failed; do
  mkdir -p "$work/$example"
  cp examples/"$example"/*.hcl "$work/$example/"
  "$bin" -C "$work/$example" plan --format json > "$work/$example.json"
  BC_SKIP_MAPPING=TRUE CKV_NO_TELEMETRY=1 "$venv/bin/checkov" -f "$work/$example.json" \
    --framework terraform_plan --external-checks-dir examples/ci/checkov --skip-download \
    -o json > "$work/$example.result.json" 2>/dev/null || true
  python3 - "$work/$example.result.json" "$example" "$passed" "$failed" <<'PY'
import json, sys
path, example, want_passed, want_failed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = json.load(open(path))
if isinstance(data, list):
    data = data[0]
summary = data["summary"]
results = data["results"]
vpcep = [r for r in results["passed_checks"] + results["failed_checks"] if r["check_id"].startswith("CKV2_VPCEP_")]
assert summary["parsing_errors"] == 0, f"{example}: checkov could not parse the plan"
assert all(r["resource"].startswith("vpcep_service.") for r in vpcep), f"{example}: unexpected resources"
passed = sum(1 for r in results["passed_checks"] if r["check_id"].startswith("CKV2_VPCEP_"))
failed = sum(1 for r in results["failed_checks"] if r["check_id"].startswith("CKV2_VPCEP_"))
assert (passed, failed) == (want_passed, want_failed), f"{example}: vpcep checks passed {passed}, failed {failed}; expected {want_passed}, {want_failed}"
print(f"checkov on {example}: {summary['resource_count']} resources, vpcep checks passed {passed}, failed {failed}")
PY
done <<'EOF_EXAMPLES'
single-service 2 0
partner-sharing 2 0
fleet 3 3
EOF_EXAMPLES
echo "checkov accepted every example's JSON plan"
