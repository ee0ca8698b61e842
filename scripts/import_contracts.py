"""An import-linter contract type the built-in ones lack: modules that may import only an allow-list.

`forbidden` lists what may not be imported, so anything nobody thought of gets through (core could import
subprocess or rich while its contract said "pure"). `allowed_only` turns it round: the modules under
`source_modules` may import each other (the root package) and the external modules named in `allowed_modules`
(top-level names, as import-linter squashes them), nothing else. pyproject.toml registers it:

    [tool.importlinter]
    contract_types = ["allowed_only: scripts.import_contracts.AllowedOnlyContract"]

lint-imports runs from the repository root, which it puts on sys.path, so `scripts.import_contracts` is found
without installing anything; tests/test_layering.py reads the same list and checks it by walking core's AST.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AllowedOnlyContract(Contract):
    """source_modules import only the root package's own modules and allowed_modules."""

    type_name = "allowed_only"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        allowed = set(self.allowed_modules)  # type: ignore[arg-type]
        roots = {s.split(".")[0] for s in self.source_modules}  # type: ignore[attr-defined]
        found: list[dict[str, object]] = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            for importer in sorted({source} | graph.find_descendants(source)):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if imported.split(".")[0] in roots or imported.split(".")[0] in allowed:
                        continue
                    lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
                    found.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for f in check.metadata["found"]:
            lines = ", ".join(f"l.{n}" for n in f["lines"])
            output.print_error(f"{f['importer']} imports {f['imported']} ({lines}), which is not allowed")
            output.new_line()
