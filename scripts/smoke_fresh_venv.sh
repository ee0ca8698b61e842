#!/usr/bin/env bash
# What a new user gets: a fresh venv, `pip install .` WITHOUT extras, then every subcommand once.
# The test suite runs with the test extras installed, which can hide a dependency that only they bring
# (olefile arrived through oletools that way). Fails on a non-zero exit where none is expected, and on any
# E-INTERNAL, batch worker crash or Python traceback in what a command prints.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
PY=${PYTHON:-python3}
work="$(mktemp -d "${TMPDIR:-/tmp}/carbon_report_smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT

"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$repo"
CR="$work/venv/bin/carbon-report"
# Run outside the source tree, so that nothing is imported from src/ by accident; the profile and the log
# in folders of this run, not the user's.
cd "$work"
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache"

failed=0
# run ALLOWED_EXIT_CODES -- command...   ("0" or "0,1": 1 means the workbook has errors, which is allowed)
run() {
  local allowed="$1"; shift 2
  local out rc=0
  out="$("$@" 2>&1)" || rc=$?
  if ! [[ ",$allowed," == *",$rc,"* ]] || grep -qE "\[E-INTERNAL\]|\[E-BATCH-WORKER-CRASH\]|Traceback \(most recent call last\)" <<<"$out"; then
    echo "FAIL (exit $rc): $*" >&2
    printf '%s\n' "$out" | tail -20 >&2
    failed=1
  else
    echo "ok   (exit $rc): ${*#"$work/venv/bin/"}"
  fi
}

run 0 -- "$CR" --version
run 0 -- "$work/venv/bin/python" -m carbon_report --version
run 0 -- "$CR" template "$work/新模板.xlsx"
[ -s "$work/新模板.xlsx" ] || { echo "FAIL: template wrote nothing" >&2; failed=1; }
for sample in "$repo"/samples/*.xlsx; do
  run 0,1 -- "$CR" check "$sample"
  run 0,1 -- "$CR" check "$sample" --json
  run 0,1 -- "$CR" process "$sample" --out "$work/输出"
done
run 0,1 -- "$CR" batch "$repo/samples" --out "$work/批量" --jobs 2 --no-report
run 0,1 -- "$CR" export "$repo/samples" --out "$work/结果表" --jobs 2
run 0,1 -- "$CR" export "$repo/samples" --out "$work/结果表_xlsx" --format xlsx
# The Python API from a plain install (no pandas): results, JSON and tables; to_frame names its extra.
run 0 -- "$work/venv/bin/python" - "$repo/samples" <<'EOF'
import sys, pathlib, carbon_report
from carbon_report.outputs.tables import build_tables
r = carbon_report.check(sorted(pathlib.Path(sys.argv[1]).glob("*.xlsx"))[0])
assert r.status in ("ok", "invalid") and r.to_json()["status"] == r.status and build_tables([r])["workbooks"].rows
try:
    r.to_frame("lines")
    raise SystemExit("to_frame worked without pandas?")
except carbon_report.PandasMissing as e:
    assert e.code == "E-PANDAS-MISSING", e.code
EOF
# Without the dask extra, --dask is one line and exit 2 (E-DASK-MISSING), not a traceback.
dask_out="$("$CR" batch "$repo/samples" --out "$work/集群" --dask local 2>&1)" && dask_rc=0 || dask_rc=$?
if [ "$dask_rc" -eq 2 ] && grep -q "\[E-DASK-MISSING\]" <<<"$dask_out" && [ "$(wc -l <<<"$dask_out")" -eq 1 ]; then
  echo "ok   (exit 2): carbon-report batch --dask local without the dask extra"
else
  echo "FAIL (exit $dask_rc): batch --dask local without the dask extra: $dask_out" >&2
  failed=1
fi
run 0 -- "$CR" profile show
# The page from a plain install: its first line is the address, the page answers there, Ctrl-C stops it.
run 0 -- "$work/venv/bin/python" - "$CR" <<'EOF'
import signal, subprocess, sys, urllib.request
p = subprocess.Popen([sys.argv[1], "web", "--no-browser", "--no-pdf"], stdout=subprocess.PIPE, text=True)
url = p.stdout.readline().strip()
assert url.startswith("http://127.0.0.1:") and "token=" in url, url
assert urllib.request.urlopen(url, timeout=60).status == 200
p.send_signal(signal.SIGINT)
assert p.wait(timeout=60) == 0
print("page served and stopped")
EOF
run 0 -- "$CR" profile set firm_name 测试咨询有限公司
run 0 -- "$CR" factors
run 0 -- "$CR" factors 柴油 --json
run 0 -- "$CR" addin "$work/加载项"
run 0 -- "$CR" addin --install --xlstart "$work/XLSTART"
# The add-in is a real one: a zip with the ribbon, a VBA project olefile can open, our settings.
run 0 -- "$work/venv/bin/python" - "$work/加载项/carbon_report.xlam" "$work/XLSTART/carbon_report.xlam" <<'EOF'
import io, sys, zipfile
import olefile
for path in sys.argv[1:]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, path
        assert "customUI/customUI.xml" in z.namelist(), path
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
        assert ole.exists("VBA/RibbonCarbonReport"), path
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert "ADD_WORKBOOK_TO_PYTHONPATH" in sheet and ">false<" in sheet, path
print("add-ins valid")
EOF
if "$CR" codes --help >/dev/null 2>&1; then
  run 0 -- "$CR" codes
  run 0 -- "$CR" codes --json
else
  echo "skip (codes is not a command yet)"
fi

if [ "$failed" -ne 0 ]; then
  echo "smoke test on a fresh install FAILED" >&2
  exit 1
fi
echo "smoke test on a fresh install passed"
