"""Suite-wide defaults.

Filling the report's 目录 starts LibreOffice once per report (several seconds each on this machine), so the
suite turns it off (CARBON_REPORT_TOC=0) and tests/test_report_samples.py turns it on for the tests that
check it. The product's default is on.
"""

from __future__ import annotations

import os

os.environ.setdefault("CARBON_REPORT_TOC", "0")
