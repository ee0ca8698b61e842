"""`carbon-report web` over HTTP, as a real process (issue 29): the token, the Host check, 127.0.0.1 only,
uploads refused with the CLI's own lines, zips checked like a folder, two uploads at once, Ctrl-C, and nothing
left in the temp folder. tests/test_web_browser.py drives the same page in a real browser."""

from __future__ import annotations

import concurrent.futures
import io
import signal
import socket
import stat
import zipfile
from pathlib import Path

import pytest
import requests
from docx import Document
from PIL import Image

import web_server
import workbooks
from conftest import run_process

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def server(tmp_path: Path):
    s = web_server.start(tmp_path, "--no-pdf")
    yield s
    s.stop()


def test_first_line_is_the_address_on_127_0_0_1_with_a_token(server: web_server.Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert len(server.token) >= 32
    r = server.get("/")
    assert r.status_code == 200 and "上传工作簿" in r.text
    assert "http://" not in r.text.replace("http://www.w3.org", "")  # nothing fetched from elsewhere (no CDN)
    assert r.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/", "/api/profile", "/api/jobs/abc", "/download/abc/f1/report",
                                  "/download/abc/all.zip"])
def test_without_the_token_403(server: web_server.Server, path: str) -> None:
    assert requests.get(server.base + path, timeout=30).status_code == 403
    assert requests.get(server.base + path, params={"token": server.token[:-1] + "x"}, timeout=30).status_code == 403
    assert requests.post(server.base + "/api/upload", timeout=30).status_code == 403


def test_a_foreign_host_header_is_refused(server: web_server.Server) -> None:
    """DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends Host: evil.example."""
    port = server.base.rsplit(":", 1)[1]
    r = requests.get(server.base + "/", params={"token": server.token}, headers={"Host": f"evil.example:{port}"},
                     timeout=30)
    assert r.status_code == 403
    assert requests.get(f"http://localhost:{port}/", params={"token": server.token}, timeout=30).status_code == 200


def test_listens_on_127_0_0_1_only(server: web_server.Server) -> None:
    port = int(server.base.rsplit(":", 1)[1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"]  # 127.0.0.1, little-endian; no 0.0.0.0, no IPv6
    other = [a for a in _own_addresses() if not a.startswith("127.")]
    for address in other:
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(5)
            s.connect((address, port))


def _own_addresses() -> list[str]:
    try:
        return sorted({i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)})
    except OSError:
        return []


def test_upload_runs_the_pipeline_and_links_need_the_token(server: web_server.Server, tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx")
    job = server.wait(server.upload(src))
    (f,) = job["files"]
    assert f["state"] == "ok" and set(f["links"]) == {"workbook", "report"}
    report = requests.get(server.base + f["links"]["report"], timeout=60)
    assert report.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(report.content)).paragraphs)
    assert "河南云乔电力通讯设施有限公司" in text
    bare = f["links"]["report"].split("?")[0]
    assert requests.get(server.base + bare, timeout=30).status_code == 403  # a download needs the token too
    z = requests.get(server.base + job["zip"], timeout=60)
    assert set(zipfile.ZipFile(io.BytesIO(z.content)).namelist()) == {"企业A_评价报告.docx", "企业A_计算结果.xlsx"}


def test_two_uploads_at_once_both_finish(server: web_server.Server, tmp_path: Path) -> None:
    a = workbooks.build(tmp_path / "企业A.xlsx")
    b = workbooks.build(tmp_path / "企业B.xlsx", activities=workbooks.activities_with(0, 4, "吨吨"))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = list(pool.map(server.upload, [a, b]))
    done = [server.wait(j) for j in jobs]
    assert [d["files"][0]["state"] for d in done] == ["ok", "invalid"]
    assert done[0]["id"] != done[1]["id"]


def test_a_200_mb_file_and_a_renamed_docx_are_refused_with_the_clis_lines(server: web_server.Server,
                                                                           tmp_path: Path) -> None:
    big = tmp_path / "大文件.xlsx"
    with big.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(200 * 1024 * 1024)
    docx = tmp_path / "报告.xlsx"
    Document().save(str(docx))
    job = server.upload(big, docx)
    lines = [f["lines"][0] for f in job["files"]]
    assert all(f["status"] == "refused" for f in job["files"])
    for path, line in zip((big, docx), lines, strict=True):
        cli = run_process("process", path, "--out", tmp_path / "out")
        assert cli.returncode == 2
        assert line == cli.stderr.strip().splitlines()[0]  # the very line the CLI prints
    assert "[E-FILE-TOO-LARGE]" in lines[0] and "200.0 MB" in lines[0]
    assert "[E-FILE-NOT-WORKBOOK]" in lines[1]
    uploads = list((server.tmp).rglob("大文件.xlsx"))
    assert uploads == []  # the first 50 MB kept to measure it are gone too


def _zip(path: Path, members: dict[str, bytes], *, link: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return path


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 80)).save(buf, "PNG")
    return buf.getvalue()


def test_a_zip_with_the_workbook_and_its_picture(server: web_server.Server, tmp_path: Path) -> None:
    book = workbooks.build(tmp_path / "企业A.xlsx", pictures=[["图2-1 企业概貌", "厂区", "图片/厂区.png"]])
    bundle = _zip(tmp_path / "企业A资料.zip", {"企业A/企业A.xlsx": book.read_bytes(), "企业A/图片/厂区.png": _png()})
    job = server.wait(server.upload(bundle))
    (f,) = job["files"]
    assert f["name"] == "企业A资料.zip / 企业A/企业A.xlsx"
    assert f["state"] == "ok"
    assert not [x for x in f["findings"] if "PICTURE" in x["code"]]  # found in the zip


@pytest.mark.parametrize(("members", "link", "words"), [
    ({"../outside.xlsx": b"x"}, None, "指向压缩包以外的位置"),
    ({"/abs/a.xlsx": b"x"}, None, "指向压缩包以外的位置"),
    ({"a.xlsx": b"x"}, "图片/link.png", "是链接"),
    ({"readme.txt": b"x"}, None, "中没有 .xlsx 或 .xlsm 工作簿"),
])
def test_a_zip_is_checked_like_a_folder(server: web_server.Server, tmp_path: Path, members: dict[str, bytes],
                                        link: str | None, words: str) -> None:
    bundle = _zip(tmp_path / "资料.zip", members, link=link)
    (f,) = server.upload(bundle)["files"]
    assert f["status"] == "refused"
    assert words in f["lines"][0] and f["lines"][0].endswith("[E-UPLOAD-ZIP]")
    assert not (tmp_path / "outside.xlsx").exists()


def test_gbk_names_in_a_zip_made_on_chinese_windows(server: web_server.Server, tmp_path: Path) -> None:
    book = workbooks.build(tmp_path / "企业A.xlsx")
    path = tmp_path / "gbk.zip"
    gbk = "企业A.xlsx".encode("gbk")  # a name as Windows' "send to compressed folder" writes it: no UTF-8 flag
    placeholder = b"X" * (len(gbk) - 6) + b"A.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(placeholder.decode("ascii"), book.read_bytes())
    path.write_bytes(path.read_bytes().replace(placeholder, gbk))  # local header and central directory
    assert not zipfile.ZipFile(path).infolist()[0].flag_bits & 0x800
    job = server.wait(server.upload(path))
    assert job["files"][0]["name"] == "gbk.zip / 企业A.xlsx"


def test_ctrl_c_stops_the_server_and_leaves_nothing_in_temp(tmp_path: Path) -> None:
    s = web_server.start(tmp_path, "--no-pdf", "--out", str(tmp_path / "输出"))
    src = workbooks.build(tmp_path / "企业A.xlsx")
    job = s.wait(s.upload(src))
    assert job["files"][0]["state"] == "ok"
    assert (tmp_path / "输出" / "企业A_评价报告.docx").is_file()  # --out: written there as `batch --out` does
    code, out, err = s.stop(signal.SIGINT)
    assert code == 0, err
    assert "已停止" in out and "Traceback" not in err
    assert list(s.tmp.iterdir()) == []
    assert not list((tmp_path / "输出").glob(".~tmp*"))


def test_closing_the_console_stops_it_too(tmp_path: Path) -> None:
    s = web_server.start(tmp_path, "--no-pdf")
    assert s.get("/").status_code == 200
    code, _, err = s.stop(signal.SIGHUP)  # the terminal window closed
    assert code == 0, err
    assert list(s.tmp.iterdir()) == []


def test_a_busy_port_is_one_line(server: web_server.Server, tmp_path: Path) -> None:
    port = server.base.rsplit(":", 1)[1]
    r = run_process("web", "--no-browser", "--port", port, timeout=120)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "[E-USAGE]" in r.stderr and port in r.stderr


def test_the_profile_form_sets_firm_and_template_for_the_pages_reports(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    s = web_server.start(tmp_path, "--no-pdf")
    try:
        template = tmp_path / "ours.docx"
        d = Document(str(Path(__file__).resolve().parents[1] / "workbook_templates" / "report_template.docx"))
        d.paragraphs[0].insert_paragraph_before("本所专用模板 OURS")
        d.save(str(template))
        with template.open("rb") as f:
            r = requests.post(s.base + "/api/profile", params={"token": s.token}, timeout=120,
                              data={"firm_name": "绿源认证（上海）有限公司", "leader": "周组长"},
                              files={"template": ("ours.docx", f)})
        assert r.status_code == 200, r.text
        fields = {x["key"]: x["value"] for x in r.json()["fields"]}
        assert fields["firm_name"] == "绿源认证（上海）有限公司" and fields["template"] == "report_template.docx"
        bad = requests.post(s.base + "/api/profile", params={"token": s.token}, timeout=60,
                            data={"report_number_pattern": "X{date.__class__}"})
        assert bad.status_code == 400 and "[E-PROFILE]" in bad.json()["errors"][0]
        company = {k: v for k, v in workbooks.SEED_COMPANY.items() if k != "技术服务机构名称"}
        job = s.wait(s.upload(workbooks.build(tmp_path / "企业A.xlsx", company=company)))
        report = requests.get(s.base + job["files"][0]["links"]["report"], timeout=60)
        text = "\n".join(p.text for p in Document(io.BytesIO(report.content)).paragraphs)
        assert "本所专用模板 OURS" in text and "编制单位：绿源认证（上海）有限公司" in text
    finally:
        s.stop()
