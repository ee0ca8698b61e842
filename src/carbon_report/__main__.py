"""`python -m carbon_report …`: the same command line as `carbon-report …`, for when pip's Scripts folder
is not on PATH (a common state of a fresh Windows Python)."""

import sys

from carbon_report.app.cli import main

sys.exit(main())
