"""A path typed in a workbook cell never leads out of the workbook's folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carbon_report.io.paths import locate


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    book = tmp_path / "client"
    (book / "图片").mkdir(parents=True)
    (book / "图片" / "厂区.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"secret")
    os.symlink(tmp_path / "secret.png", book / "link.png")
    return book


def test_a_file_inside_is_found_with_either_slash(tree: Path) -> None:
    assert locate(tree, "图片/厂区.png").path == (tree / "图片" / "厂区.png").resolve()
    assert locate(tree, "图片\\厂区.png").path == (tree / "图片" / "厂区.png").resolve()


def test_a_missing_file_inside_is_missing_not_outside(tree: Path) -> None:
    got = locate(tree, "图片/无.png")
    assert got.path is None and not got.outside


@pytest.mark.parametrize("text", ["../secret.png", "图片/../../secret.png", "/etc/passwd", "C:\\Windows\\win.ini",
                                  "\\\\server\\share\\a.png", "link.png"])
def test_paths_that_leave_the_folder_are_outside(tree: Path, text: str) -> None:
    got = locate(tree, text)
    assert got.outside and got.path is None
