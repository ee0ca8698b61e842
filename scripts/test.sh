#!/usr/bin/env bash
# Install everything the tests need, then run them. README's test command and .ci/run both call this.
set -euo pipefail
cd "$(dirname "$0")/.."

# LibreOffice renders reports and workbooks in the tests; CJK fonts for Chinese text; poppler for PDF text/PNG.
# chromium + chromium-driver: a real browser drives `carbon-report web` (tests/test_web_browser.py; no browser download).
debs=(libreoffice-writer-nogui libreoffice-calc-nogui python3-uno fonts-noto-cjk poppler-utils chromium chromium-driver)
missing=()
for d in "${debs[@]}"; do dpkg -s "$d" >/dev/null 2>&1 || missing+=("$d"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "Installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: cannot install ${missing[*]} (not root); tests that need them are skipped" >&2
  fi
fi

PY=${PYTHON:-python3}
"$PY" -m pip install -q --disable-pip-version-check -e ".[test]"
"$PY" -m ruff check src tests
# The layering (core < io < outputs < app) is a contract in pyproject.toml, not a hope.
lint-imports
# What a new user gets: every import declared (deptry), and a plain `pip install .` running every subcommand.
"$PY" -m deptry src; PYTHON="$PY" bash scripts/smoke_fresh_venv.sh
"$PY" -m pytest -q -n "${PYTEST_WORKERS:-2}" "$@"
