import io
import os
import zipfile

import pytest

from carbon_report.core.errors import OutputLocked
from carbon_report.outputs.report import fingerprint as fp
from carbon_report.outputs.report.fingerprint import report_output_path


def _docx(body: bytes = b"<w:document/>") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="x" Target="word/document.xml"/>'
                   '</Relationships>')
        z.writestr("word/document.xml", body)
    return buf.getvalue()


def _edit(path, body=b"<w:document>edited</w:document>"):
    """What Word does on save: document.xml changes, custom properties stay."""
    with zipfile.ZipFile(path) as z:
        items = {n: z.read(n) for n in z.namelist()}
    items["word/document.xml"] = body
    with zipfile.ZipFile(path, "w") as z:
        for name, data in items.items():
            z.writestr(name, data)


def test_stamp_records_fingerprint_of_document_xml(tmp_path):
    data, digest = fp.stamp(_docx())
    p = tmp_path / "r.docx"
    p.write_bytes(data)
    assert fp.read_fingerprint(p) == (digest, digest)
    assert fp.is_unedited(p)
    with zipfile.ZipFile(p) as z:
        assert b"custom-properties" in z.read("[Content_Types].xml")
        assert b"docProps/custom.xml" in z.read("_rels/.rels")
    # stamping twice keeps one property and one relationship
    again, _ = fp.stamp(data)
    with zipfile.ZipFile(io.BytesIO(again)) as z:
        assert z.read("docProps/custom.xml").count(fp.PROPERTY_NAME.encode()) == 1
        assert z.read("_rels/.rels").count(b"custom-properties") == 1


def test_output_path_cases(tmp_path):
    desired = tmp_path / "公司_评价报告.docx"
    assert report_output_path(desired, force=False) == (desired, None)  # absent

    fp.write_atomic(desired, fp.stamp(_docx())[0])
    assert report_output_path(desired, force=False) == (desired, None)  # ours, unedited: overwrite

    _edit(desired)
    path, notice = report_output_path(desired, force=False)
    assert path == tmp_path / "公司_评价报告_v2.docx"
    assert "已被编辑" in notice and "公司_评价报告_v2.docx" in notice
    assert report_output_path(desired, force=True) == (desired, None)

    fp.write_atomic(path, fp.stamp(_docx())[0])  # v2 written by us and not edited: reused
    assert report_output_path(desired, force=False)[0] == path
    _edit(path)
    assert report_output_path(desired, force=False)[0] == tmp_path / "公司_评价报告_v3.docx"


def test_output_path_foreign_file(tmp_path):
    desired = tmp_path / "r.docx"
    desired.write_bytes(_docx())  # no fingerprint: not ours
    path, notice = report_output_path(desired, force=False)
    assert path.name == "r_v2.docx"
    assert "不是本工具生成" in notice


def test_locked_by_word_owner_file(tmp_path):
    desired = tmp_path / "report.docx"
    fp.write_atomic(desired, fp.stamp(_docx())[0])
    (tmp_path / "~$port.docx").write_bytes(b"owner")
    with pytest.raises(OutputLocked) as exc:
        report_output_path(desired, force=True)
    assert "正被其他程序" in str(exc.value)
    with pytest.raises(OutputLocked):
        fp.write_atomic(desired, b"x")


def test_permission_error_on_replace_is_report_locked(tmp_path, monkeypatch):
    target = tmp_path / "r.docx"

    def deny(src, dst):
        raise PermissionError(13, "locked")

    monkeypatch.setattr(os, "replace", deny)
    with pytest.raises(OutputLocked):
        fp.write_atomic(target, b"data")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_write_atomic_replaces(tmp_path):
    target = tmp_path / "sub" / "r.docx"
    fp.write_atomic(target, b"one")
    fp.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["r.docx"]
