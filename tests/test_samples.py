"""The sample intake workbooks in samples/: built from the template by scripts/make_samples.py, faithful to
the seed report where they copy it, and free of computed results."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

import openpyxl
import pytest

from carbon_report.core import contract
from carbon_report.core.factors import load_library
from carbon_report.core.model import STAGES
from carbon_report.core.values import header_key
from carbon_report.outputs.template import LIBRARY_SHEET, LISTS_SHEET, workbook_bytes

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
STALE = "samples/ is stale: run python scripts/make_samples.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_samples = _load_script()
SEED = make_samples.SEED_FILE
DEMO = make_samples.DEMO_FILE


@pytest.fixture(scope="module")
def built() -> dict[str, openpyxl.Workbook]:
    return {name: openpyxl.load_workbook(io.BytesIO(workbook_bytes(wb)))
            for name, wb in make_samples.build_samples().items()}


@pytest.fixture(scope="module")
def committed() -> dict[str, openpyxl.Workbook]:
    return {name: openpyxl.load_workbook(SAMPLES / name) for name in (SEED, DEMO)}


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, float):
        return float(f"{value:.15g}")
    return value


def content(wb: openpyxl.Workbook) -> dict:
    """Values and number formats of every sheet a user fills. 因子库 and the hidden lists mirror the factor
    library, which evolves on its own; the template's test keeps those current."""
    out: dict = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        if ws.title in (LIBRARY_SHEET, LISTS_SHEET):
            continue
        out[ws.title] = [(c.coordinate, _plain(c.value), c.number_format)
                         for row in ws.iter_rows() for c in row if c.value is not None or c.number_format != "General"]
    return out


def company(wb: openpyxl.Workbook) -> dict[str, object]:
    ws = wb[contract.COMPANY_SHEET]
    by_text = {header_key(ws.cell(r, 1).value): ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    return {lab.key: by_text[lab.text] for lab in contract.LABELS}


def rows(wb: openpyxl.Workbook, spec: contract.TableSheet) -> list[dict[str, object]]:
    ws = wb[spec.name]
    keys = {header_key(c.header): c.key for c in spec.columns}
    cols = {keys[header_key(c.value)]: c.column for c in ws[1] if header_key(c.value) in keys}
    out = []
    for r in range(2, ws.max_row + 1):
        row = {k: ws.cell(r, c).value for k, c in cols.items()}
        if any(v is not None for v in row.values()):
            out.append(row)
    return out


def uscc_valid(code: str) -> bool:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    if len(code) != 18 or any(ch not in alphabet for ch in code):
        return False
    total = sum(alphabet.index(ch) * w for ch, w in zip(code, weights, strict=False))
    return alphabet[(31 - total % 31) % 31] == code[17]


@pytest.mark.parametrize("name", [SEED, DEMO])
def test_committed_sample_is_what_make_samples_builds(name, built, committed):
    assert (SAMPLES / name).is_file(), STALE
    a, b = content(committed[name]), content(built[name])
    assert a.keys() == b.keys(), STALE
    for key in a:
        assert a[key] == b[key], f"{STALE} (differs in {key})"


@pytest.mark.parametrize("name", [SEED, DEMO])
def test_required_labels_filled_and_conclusion_only_where_a_consultant_wrote_one(name, built):
    values = company(built[name])
    for lab in contract.LABELS:
        if lab.required:
            assert values[lab.key] not in (None, ""), lab.text
    assert values["template_version"] == contract.TEMPLATE_VERSION
    assert uscc_valid(values["uscc"])
    if name == SEED:
        assert values["conclusion"] is None, "the seed's conclusion must not become the tool's"
    else:
        assert values["conclusion"]


def test_seed_company_spelled_one_way(built):
    wb = built[SEED]
    texts = [c.value for ws in wb.worksheets if ws.title not in (LIBRARY_SHEET, LISTS_SHEET)
             for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if "通讯设备有限公司" in t]
    assert company(wb)["name"] == "河南云乔电力通讯设施有限公司"
    assert company(wb)["uscc"] == "91410326MA3X43L73Y"


def test_seed_activities_follow_the_seed_tables(built):
    acts = rows(built[SEED], contract.ACTIVITIES)
    by_name = {a["name"]: a for a in acts}
    stone = by_name["石子"]
    assert stone["amount"] == 3095.1 and stone["unit"] == "t"
    assert "未注明" in stone["note"] and "假定" in stone["note"]
    assert by_name["电力"]["amount"] == 72584 and by_name["电力"]["unit"] == "kWh"
    assert by_name["电力"]["source"] == "市政供电"
    assert {a["stage"] for a in acts} == {"原材料获取", "生产", "运输", "包装"}  # nothing for 采购, 回收
    freight = [a for a in acts if a["stage"] in ("运输", "包装")]
    assert len(freight) == 5 and all(a["amount"] == "/" and a["unit"] == "t·km" for a in freight)
    factors = rows(built[SEED], contract.FACTORS)
    assert [(f["code"], f["value"], f["unit"]) for f in factors] == [("SEED-TRUCK", 0.074, "kgCO2/t·km")]
    assert "未经核实" in factors[0]["note"]
    assert len(rows(built[SEED], contract.EQUIPMENT)) == 11
    measures = rows(built[SEED], contract.MEASURES)
    assert [m["investment"] for m in measures] == ["2-3", "0.5-1", "0-0.5", "0-0.5", "0-0.5", "0-0.5"]
    assert [(t["year"], t["reduction"], t["stage"]) for t in rows(built[SEED], contract.TARGETS)] == [
        (2025, 8, None), (2030, 50, None), (2050, 100, None)]


@pytest.mark.parametrize("name", [SEED, DEMO])
def test_every_activity_names_a_factor_that_exists(name, built):
    own = {f["code"] for f in rows(built[name], contract.FACTORS)}
    library = set(load_library().codes())
    for a in rows(built[name], contract.ACTIVITIES):
        assert a["factor_code"] in own | library, a


def test_demo_covers_all_but_one_stage_and_two_products(built):
    acts = rows(built[DEMO], contract.ACTIVITIES)
    stages = {a["stage"] for a in acts}
    assert len(stages) == 5 and "回收" not in stages
    units = {a["unit"] for a in acts}
    assert {"L", "万m3", "万kWh", "t", "kg", "t·km"} <= units
    products = rows(built[DEMO], contract.PRODUCTS)
    assert len(products) == 2
    assert [p["for_intensity"] for p in products] == ["是", "否"] and products[0]["allocation"] == 70
    gases = {f["gas"] for f in rows(built[DEMO], contract.FACTORS)}
    assert {"CO2", "CH4-fossil", "N2O", "R-410A"} <= gases
    targets = rows(built[DEMO], contract.TARGETS)
    assert {t["stage"] for t in targets if t["stage"]} == {s.short_zh for s in STAGES}
    assert company(built[DEMO])["output_value"]


SEED_PRINTED_RESULTS = (0.797, 0.7819, 0.00907, 0.00604)


@pytest.mark.parametrize("name", [SEED, DEMO])
def test_no_cell_holds_a_computed_total(name, built):
    wb = built[name]
    for ws in wb.worksheets:
        if ws.title in (LIBRARY_SHEET, LISTS_SHEET):
            continue
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value.startswith("=")), f"formula in {ws.title}!{c.coordinate}"
                assert c.value not in SEED_PRINTED_RESULTS, f"{ws.title}!{c.coordinate} copies a printed result"
    for spec in contract.TABLE_SHEETS:
        for r in rows(wb, spec):
            for v in r.values():
                assert not (isinstance(v, str) and v.strip() in contract.TOTAL_ROW_NAMES), (spec.name, r)
                assert not (isinstance(v, str) and "合计" in v), (spec.name, r)


@pytest.mark.parametrize("name", [SEED, DEMO])
def test_pipeline_accepts_the_sample(name):
    pipeline = pytest.importorskip("carbon_report.app.pipeline")
    outcome = pipeline.check_file(SAMPLES / name)
    errors = [f for f in outcome.findings if f.severity == "error"]
    assert errors == [] and outcome.status == "ok", errors
