"""docs/api.md's examples run as written: every ```python block, in order, in one namespace, in a folder
holding what the page says is there (企业A.xlsx, 收集的工作簿/ with two samples and a damaged file)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_has_examples_of_every_call() -> None:
    code = "\n".join(blocks())
    for call in ("carbon_report.check(", "carbon_report.process(", "carbon_report.batch(", ".to_json()",
                 ".to_frame(", "carbon_report.UsageError"):
        assert call in code, call


def test_docs_api_examples_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copyfile(ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx", tmp_path / "企业A.xlsx")
    folder = tmp_path / "收集的工作簿"
    folder.mkdir()
    for sample in sorted((ROOT / "samples").glob("*.xlsx")):
        shutil.copyfile(sample, folder / sample.name)
    (folder / "损坏.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs_api"}
    for i, code in enumerate(blocks()):
        exec(compile(code, f"docs/api.md block {i + 1}", "exec"), namespace)  # noqa: S102 - our own page
    out = capsys.readouterr().out
    assert "2502.53" in out and "E-USAGE" in out and "unreadable" in out
    assert (tmp_path / "输出" / "企业A_评价报告.docx").is_file() and (tmp_path / "批量输出" / "汇总.xlsx").is_file()
