#!/usr/bin/env bash
# An offline installer folder ("wheelhouse"): carbon-report and every package it needs, as wheel files for
# the consultant's computer. Build it on a machine that reaches the package index; copy the folder (USB
# stick, shared drive) to a computer whose pip times out, and install there without any network:
#     py -m pip install --no-index --find-links 安装包 carbon-report          (Windows)
#     python3 -m pip install --no-index --find-links 安装包 carbon-report     (macOS, inside the venv)
#
# Usage: scripts/build_wheelhouse.sh [OUT_DIR] [--platform TAG] [--python-version X.Y] [--here]
#   OUT_DIR           default: wheelhouse
#   --platform        the target's pip platform tag, default win_amd64 (64-bit Windows); for a Mac:
#                     macosx_11_0_arm64 (Apple silicon) or macosx_10_9_x86_64 (Intel)
#   --python-version  the target's Python, default 3.12 (`py --version` there); 3.11 or newer
#   --here            for this machine's own system and Python instead
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
PY=${PYTHON:-python3}
out="wheelhouse"
target=(--platform win_amd64 --python-version 3.12)
platform_given=0
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) [ $platform_given -eq 0 ] && target=(); platform_given=1; target+=(--platform "$2"); shift 2 ;;
    --python-version) [ $platform_given -eq 0 ] && target=(); platform_given=1; target+=(--python-version "$2"); shift 2 ;;
    --here) target=(); platform_given=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) out="$1"; shift ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# carbon-report itself (pure Python: one wheel fits every platform).
"$PY" -m pip wheel --no-deps --disable-pip-version-check -q -w "$out" "$repo"
wheel="$(ls -t "$out"/carbon_report-*.whl | head -1)"
# Everything it depends on, as binary wheels for the target (never source: the target may have no compiler).
"$PY" -m pip download --disable-pip-version-check -q --only-binary=:all: "${target[@]}" -d "$out" "$wheel"
# pip evaluates environment markers for the machine it runs on, not for --platform: xlwings' dependencies
# that apply only on Windows (pywin32) or macOS (psutil, appscript) must be asked for by name.
platform_tag=""
for ((i = 0; i < ${#target[@]}; i++)); do [ "${target[$i]}" = "--platform" ] && platform_tag="${target[$((i + 1))]}"; done
case "$platform_tag" in
  win*) extra=("pywin32>=224") ;;
  macosx*) extra=("psutil>=2.0.0" "appscript>=1.0.1") ;;
  *) extra=() ;;
esac
if [ ${#extra[@]} -gt 0 ]; then
  "$PY" -m pip download --disable-pip-version-check -q --only-binary=:all: "${target[@]}" -d "$out" "${extra[@]}"
fi
count=$(find "$out" -name '*.whl' | wc -l)
echo "wheelhouse: $out ($count wheels, for ${target[*]:-this machine})"
echo "on the target (Windows: py, macOS: the venv's python): -m pip install --no-index --find-links \"$(basename "$out")\" carbon-report"
