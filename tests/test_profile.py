"""The consultancy profile (issue 29): `carbon-report profile`, its report-number counter, and its fields and
template in reports made by the CLI, a batch and the Excel button. Every test has its own XDG_CONFIG_HOME."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
from pathlib import Path

import pytest
from docx import Document

import workbooks
from carbon_report.app.profile import give_numbers
from carbon_report.core.profile import format_report_number
from conftest import run_process

ROOT = Path(__file__).resolve().parents[1]
BUILT_IN = ROOT / "workbook_templates" / "report_template.docx"
BLANK_COVER = dict(workbooks.SEED_COMPANY)
for _k in ("报告编号", "技术服务机构名称"):
    BLANK_COVER.pop(_k)


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "carbon-report"


def _doc_text(path: Path) -> str:
    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def _set_firm(cli) -> None:
    for key, value in (("firm_name", "万鼎认证（河南）有限公司"), ("firm_address", "郑州市经开区第八大街 602 室"),
                       ("phone", "0371-63295832"), ("leader", "王组长"), ("members", "张珍、陈婧,李四"),
                       ("reviewer", "赵复核"), ("approver", "钱批准"),
                       ("report_number_pattern", "WD-HC-{date:%Y%m%d}{seq:04d}")):
        r = cli("profile", "set", key, value)
        assert r.returncode == 0, r.stderr


def test_show_prints_every_key_with_its_label_and_set_round_trips(cli, config_home: Path) -> None:
    r = cli("profile", "show")
    assert r.returncode == 0
    keys = [line.split(" = ")[0] for line in r.stdout.splitlines()]
    assert keys == ["firm_name", "firm_address", "website", "phone", "logo", "report_number_pattern", "leader",
                    "members", "reviewer", "approver", "template", "out_dir"]
    _set_firm(cli)
    lines = cli("profile", "show").stdout.splitlines()
    assert "firm_name = 万鼎认证（河南）有限公司  # 技术服务机构名称（编制单位）" in lines
    assert "members = 张珍、陈婧、李四  # 组员" in lines  # 、 and commas both separate names
    stored = json.loads((config_home / "profile.json").read_text(encoding="utf-8"))
    assert stored["members"] == ["张珍", "陈婧", "李四"]
    assert cli("profile", "set", "leader", "").returncode == 0  # "" clears a key
    assert "leader =   # 组长" in cli("profile", "show").stdout.splitlines()


@pytest.mark.parametrize(("args", "words"), [
    (("set", "firm", "x"), "没有名为“firm”的配置项"),
    (("set", "report_number_pattern", "A{date.__class__}"), "不可用"),
    (("set", "report_number_pattern", "A{seq:04d"), "花括号"),
    (("set", "report_number_pattern", "A{name}"), "{name} 不可用"),
    (("set", "logo", "missing.png"), "不存在"),
])
def test_a_bad_value_is_one_line_with_its_code(cli, args: tuple[str, ...], words: str) -> None:
    r = cli("profile", *args)
    assert r.returncode == 2
    assert words in r.stderr and "[E-PROFILE]" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_logo_must_be_png_or_jpeg_and_is_copied_in(cli, tmp_path: Path, config_home: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"GIF89a" + b"\0" * 100)
    r = cli("profile", "set", "logo", fake)
    assert r.returncode == 2 and "不是 PNG 或 JPEG" in r.stderr
    from PIL import Image

    Image.new("RGB", (40, 20), (0, 90, 160)).save(fake)
    assert cli("profile", "set", "logo", fake).returncode == 0
    fake.unlink()  # the profile keeps its own copy
    assert (config_home / "logo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_renamed_workbook_is_not_a_template(cli, tmp_path: Path) -> None:
    bad = workbooks.build(tmp_path / "t.xlsx")
    renamed = bad.rename(tmp_path / "t.docx")
    r = cli("profile", "template", renamed)
    assert r.returncode == 2 and "不是 Word 文档" in r.stderr and "[E-PROFILE]" in r.stderr


def test_report_number_pattern_formats_like_the_seed() -> None:
    # the seed's WD-HC-202407200223: its date 2024-07-20 and the 223rd report
    assert format_report_number("WD-HC-{date:%Y%m%d}{seq:04d}", dt.date(2024, 7, 20), 223) == "WD-HC-202407200223"
    assert format_report_number("R{seq}", dt.date(2024, 7, 20), 7) == "R7"


def test_profile_fills_the_cover_and_sign_off_the_workbook_left_blank(cli, tmp_path: Path) -> None:
    _set_firm(cli)
    src = workbooks.build(tmp_path / "企业A.xlsx", company=BLANK_COVER)
    r = cli("process", src, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert "取自咨询机构配置" in r.stderr
    # the cover fields the profile has are not announced as placeholders
    assert "技术服务机构名称为空" not in r.stderr and "组长为空" not in r.stderr and "报告编号为空" not in r.stderr
    text = _doc_text(tmp_path / "out" / "企业A_评价报告.docx")
    today = "20240720"  # dated by the workbook's 报告日期, as the seed's WD-HC-202407200223
    assert f"报告编号：WD-HC-{today}0001" in text
    assert "编制单位：万鼎认证（河南）有限公司" in text
    assert "0371-63295832" in text and "郑州市经开区第八大街 602 室" in text
    for name in ("王组长", "张珍、陈婧、李四", "赵复核", "钱批准"):
        assert name in text
    assert "待填写：技术服务机构名称" not in text and "待填写：组长" not in text

    # the same company and year again: the same number; another company: the next one
    assert cli("process", src, "--out", tmp_path / "out", "--force").returncode == 0
    assert f"WD-HC-{today}0001" in _doc_text(tmp_path / "out" / "企业A_评价报告.docx")
    other = workbooks.build(tmp_path / "企业B.xlsx",
                            company={**BLANK_COVER, "统一社会信用代码": "91350100M000100Y7C", "企业名称": "企业B"})
    assert cli("process", other, "--out", tmp_path / "out").returncode == 0
    assert f"WD-HC-{today}0002" in _doc_text(tmp_path / "out" / "企业B_评价报告.docx")


def test_the_workbooks_own_values_win(cli, tmp_path: Path, config_home: Path) -> None:
    _set_firm(cli)
    src = workbooks.build(tmp_path / "企业A.xlsx")  # 报告编号 WD-HC-202407200223 and its agency filled in
    assert cli("process", src, "--out", tmp_path / "out").returncode == 0
    text = _doc_text(tmp_path / "out" / "企业A_评价报告.docx")
    assert "报告编号：WD-HC-202407200223" in text
    assert "编制单位：万鼎认证（河南）有限公司" in text
    assert not (config_home / "counter.json").exists()  # no number was used up for it


def test_a_workbook_without_a_report_date_is_numbered_by_today(cli, tmp_path: Path) -> None:
    _set_firm(cli)
    company = {k: v for k, v in BLANK_COVER.items() if k != "报告日期"}
    src = workbooks.build(tmp_path / "企业A.xlsx", company=company)
    assert cli("process", src, "--out", tmp_path / "out").returncode == 0
    assert f"报告编号：WD-HC-{dt.date.today():%Y%m%d}0001" in _doc_text(tmp_path / "out" / "企业A_评价报告.docx")


def _numbers(args: tuple[str, int]) -> list[str]:
    folder, start = args
    companies = [(f"USCC{start + i:03d}", 2024, dt.date(2026, 12, 7)) for i in range(15)]
    return [n for _, _, n in give_numbers("N{seq:04d}", companies, Path(folder))]


def test_two_processes_never_give_out_the_same_number(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.map(_numbers, [(str(tmp_path), 0), (str(tmp_path), 100)])
    numbers = got[0] + got[1]
    assert sorted(numbers) == [f"N{i:04d}" for i in range(1, 31)]
    state = json.loads((tmp_path / "counter.json").read_text(encoding="utf-8"))
    assert state["seq"] == 30


def _marked_template(path: Path, marker: str) -> Path:
    d = Document(str(BUILT_IN))
    d.paragraphs[0].insert_paragraph_before(marker)
    d.save(str(path))
    return path


def test_template_precedence_option_then_profile_then_built_in(cli, tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx")
    ours = _marked_template(tmp_path / "ours.docx", "本所专用模板 OURS")
    assert cli("profile", "template", ours).returncode == 0
    ours.unlink()  # the profile keeps its own copy
    assert cli("process", src, "--out", tmp_path / "a").returncode == 0
    assert "本所专用模板 OURS" in _doc_text(tmp_path / "a" / "企业A_评价报告.docx")
    other = _marked_template(tmp_path / "other.docx", "另一个模板 OTHER")
    assert cli("process", src, "--out", tmp_path / "b", "--report-template", other).returncode == 0
    text = _doc_text(tmp_path / "b" / "企业A_评价报告.docx")
    assert "另一个模板 OTHER" in text and "OURS" not in text
    assert cli("profile", "set", "template", "").returncode == 0
    assert cli("process", src, "--out", tmp_path / "c").returncode == 0
    assert "OURS" not in _doc_text(tmp_path / "c" / "企业A_评价报告.docx")


def test_out_dir_from_the_profile_when_out_is_not_given(cli, tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx")
    r = run_process("process", src)  # argparse's usage error ends the process
    assert r.returncode == 2 and "缺少必需的参数：--out" in r.stderr and "[E-USAGE]" in r.stderr
    assert cli("profile", "set", "out_dir", tmp_path / "默认输出").returncode == 0
    assert cli("process", src).returncode == 0
    assert (tmp_path / "默认输出" / "企业A_评价报告.docx").is_file()


def test_batch_workers_get_the_profile_as_data(cli, tmp_path: Path) -> None:
    _set_firm(cli)
    folder = tmp_path / "in"
    folder.mkdir()
    workbooks.build(folder / "企业A.xlsx", company=BLANK_COVER)
    workbooks.build(folder / "企业B.xlsx", company={**BLANK_COVER, "统一社会信用代码": "91350100M000100Y7C"})
    r = cli("batch", folder, "--out", tmp_path / "out", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    today = "20240720"  # the workbooks' 报告日期
    a = _doc_text(tmp_path / "out" / "企业A_评价报告.docx")
    b = _doc_text(tmp_path / "out" / "企业B_评价报告.docx")
    assert "编制单位：万鼎认证（河南）有限公司" in a and "编制单位：万鼎认证（河南）有限公司" in b
    assert f"WD-HC-{today}0001" in a + b and f"WD-HC-{today}0002" in a + b

def test_excel_button_uses_the_profile(cli, tmp_path: Path) -> None:
    from carbon_report.app.excel import run_from_excel
    from excel_fake import FakeBook

    _set_firm(cli)
    src = workbooks.build(tmp_path / "企业A.xlsx", company=BLANK_COVER)
    run = run_from_excel(False, FakeBook(src), platform="win32")
    assert not run.critical, run.message
    text = _doc_text(tmp_path / "企业A_评价报告.docx")
    assert "编制单位：万鼎认证（河南）有限公司" in text and "王组长" in text
    assert "WD-HC-202407200001" in text
    assert "取自咨询机构配置" in run.message
    # the profile's template too
    ours = _marked_template(tmp_path / "ours.docx", "本所专用模板 OURS")
    assert cli("profile", "template", ours).returncode == 0
    run = run_from_excel(False, FakeBook(src), platform="win32")
    assert not run.critical, run.message
    assert "本所专用模板 OURS" in _doc_text(Path(run.outcome.outputs["report"]))


def test_unreadable_profile_is_one_line(cli, tmp_path: Path, config_home: Path) -> None:
    config_home.mkdir(parents=True)
    (config_home / "profile.json").write_text("{broken", encoding="utf-8")
    src = workbooks.build(tmp_path / "企业A.xlsx")
    r = cli("process", src, "--out", tmp_path / "out")
    assert r.returncode == 2
    assert "已损坏" in r.stderr and "[E-PROFILE]" in r.stderr
    shutil.rmtree(config_home)


def test_dask_workers_get_the_profile_as_data(cli, tmp_path: Path) -> None:
    """A real LocalCluster whose workers have their own, empty config folder: the profile reaches them only
    as data in the run's options (shipped inputs too)."""
    import os
    import subprocess
    import sys

    pytest.importorskip("distributed")
    _set_firm(cli)
    folder = tmp_path / "in"
    folder.mkdir()
    workbooks.build(folder / "企业A.xlsx", company=BLANK_COVER)
    cluster_env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "workers_config")}
    helper = subprocess.Popen([sys.executable, str(Path(__file__).parent / "dask_cluster.py")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=cluster_env)
    try:
        assert helper.stdout is not None
        address = helper.stdout.readline().strip()
        r = run_process("batch", folder, "--out", tmp_path / "out", "--dask", address, "--ship-inputs",
                        encoding="utf-8")
        assert r.returncode == 0, r.stderr
    finally:
        assert helper.stdin is not None
        helper.stdin.close()
        helper.wait(timeout=60)
    text = _doc_text(tmp_path / "out" / "企业A_评价报告.docx")
    assert "编制单位：万鼎认证（河南）有限公司" in text and "王组长" in text
    assert "WD-HC-202407200001" in text
    assert not (tmp_path / "workers_config").exists()  # the workers never looked for a profile of their own


def test_a_profile_template_that_is_gone_is_said(cli, tmp_path: Path, config_home: Path) -> None:
    ours = _marked_template(tmp_path / "ours.docx", "OURS")
    assert cli("profile", "template", ours).returncode == 0
    (config_home / "report_template.docx").unlink()
    src = workbooks.build(tmp_path / "企业A.xlsx")
    r = cli("process", src, "--out", tmp_path / "out")
    assert r.returncode == 2 and "配置的报告模板" in r.stderr and "已不存在" in r.stderr and "[E-PROFILE]" in r.stderr
    assert cli("process", src, "--out", tmp_path / "out", "--no-report").returncode == 0  # no report: no template


def test_the_profiles_website_is_under_the_agency_on_the_cover(cli, tmp_path: Path) -> None:
    _set_firm(cli)
    src = workbooks.build(tmp_path / "企业A.xlsx", company=BLANK_COVER)
    assert cli("process", src, "--out", tmp_path / "a").returncode == 0
    cover = [p.text for p in Document(str(tmp_path / "a" / "企业A_评价报告.docx")).paragraphs[:20]]
    assert not [t for t in cover if "查询网址" in t]  # no website: no line, no placeholder
    assert cli("profile", "set", "website", "http://www.wdrziso.com").returncode == 0
    assert cli("process", src, "--out", tmp_path / "b").returncode == 0
    cover = [p.text for p in Document(str(tmp_path / "b" / "企业A_评价报告.docx")).paragraphs[:20]]
    agency = cover.index("万鼎认证（河南）有限公司")
    assert cover[agency + 1] == "查询网址：http://www.wdrziso.com"  # as the seed's cover has it


def _cover_pictures(path: Path) -> list[tuple[int, int]]:
    """(cx, cy) in EMU of every picture in the paragraphs before the cover's agency name."""
    d = Document(str(path))
    out: list[tuple[int, int]] = []
    for p in d.paragraphs:
        if p.text == "万鼎认证（河南）有限公司":
            return out
        for ext in p._p.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"):
            out.append((int(ext.get("cx")), int(ext.get("cy"))))
    raise AssertionError("no agency line on the cover")


def test_the_profiles_logo_is_on_the_cover_from_every_way_in(cli, tmp_path: Path) -> None:
    """A 400 × 200 px logo is drawn 15 mm high and 30 mm wide (1 mm = 36,000 EMU: 1,080,000 × 540,000) above the
    agency's name on the cover, by `process` and by a batch's workers (sent the logo's bytes as data)."""
    from PIL import Image

    _set_firm(cli)
    src = workbooks.build(tmp_path / "企业A.xlsx", company=BLANK_COVER)
    assert cli("process", src, "--out", tmp_path / "none").returncode == 0
    assert _cover_pictures(tmp_path / "none" / "企业A_评价报告.docx") == []  # no logo: nothing drawn
    logo = tmp_path / "标志.png"
    Image.new("RGB", (400, 200), (31, 111, 74)).save(logo)
    assert cli("profile", "set", "logo", logo).returncode == 0
    assert cli("process", src, "--out", tmp_path / "one").returncode == 0
    assert _cover_pictures(tmp_path / "one" / "企业A_评价报告.docx") == [(1_080_000, 540_000)]
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(src, folder / "企业A.xlsx")
    assert cli("batch", folder, "--out", tmp_path / "batch", "--jobs", "1").returncode == 0
    assert _cover_pictures(tmp_path / "batch" / "企业A_评价报告.docx") == [(1_080_000, 540_000)]
    # a very wide logo keeps within 60 mm: 1200 × 100 px → 60 mm × 5 mm
    Image.new("RGB", (1200, 100), (31, 111, 74)).save(logo)
    assert cli("profile", "set", "logo", logo).returncode == 0
    assert cli("process", src, "--out", tmp_path / "wide").returncode == 0
    assert _cover_pictures(tmp_path / "wide" / "企业A_评价报告.docx") == [(2_160_000, 180_000)]
