"""The report as data: typed, frozen views of every section (views.py), built from one Intake and one
Result (build.py; scopes.py, extras.py for their sections), with text as runs (text.py), charts as data
(charts.py) and one display rule for numbers (numbers.py). Pure: the Word layer (outputs/report) only adds
picture handles, the earlier years and caption numbers, and renders."""
