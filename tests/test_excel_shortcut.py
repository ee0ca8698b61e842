"""`carbon-report addin --status / --uninstall`, and the Windows shortcut for the page (issue 29).

WScript.Shell exists only on Windows: FakeShell records exactly the COM calls shortcut.py makes (the names and
property sets of the Windows Script Host object model), and the shortcut's command line is then run here as
Windows would run it: TargetPath with Arguments, in WorkingDirectory."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from carbon_report.app.excel import addin as addin_mod
from carbon_report.app.excel import shortcut

ROOT = Path(__file__).resolve().parents[1]


class FakeLink:
    """WshShortcut: properties set, then Save()."""

    def __init__(self, shell: FakeShell, path: str) -> None:
        object.__setattr__(self, "_shell", shell)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "props", {})

    def __setattr__(self, name: str, value: Any) -> None:
        self.props[name] = value
        self._shell.calls.append(("set", self._path, name, value))

    def Save(self) -> None:  # noqa: N802 - the COM method's name
        self._shell.calls.append(("Save", self._path))
        Path(self._path).write_text(repr(self.props), encoding="utf-8")  # stands in for the .lnk


class FakeShell:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[tuple[Any, ...]] = []

    def SpecialFolders(self, name: str) -> str:  # noqa: N802
        self.calls.append(("SpecialFolders", name))
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)

    def CreateShortcut(self, path: str) -> FakeLink:  # noqa: N802
        self.calls.append(("CreateShortcut", path))
        return FakeLink(self, path)


def test_shortcut_calls_are_exactly_these(tmp_path: Path) -> None:
    shell = FakeShell(tmp_path)
    spec = shortcut.shortcut_spec(r"C:\Users\张三\AppData\Local\Programs\Python\Python312\pythonw.exe",
                                  home=r"C:\Users\张三")
    written = shortcut.write_shortcuts(shell, spec)
    exe = r"C:\Users\张三\AppData\Local\Programs\Python\Python312\python.exe"  # the console one, not pythonw
    for folder in ("Desktop", "Programs"):
        path = str(tmp_path / folder / "碳排放报告（网页）.lnk")
        assert [c for c in shell.calls if path in c] == [
            ("CreateShortcut", path),
            ("set", path, "TargetPath", exe),
            ("set", path, "Arguments", "-m carbon_report web"),
            ("set", path, "WorkingDirectory", r"C:\Users\张三"),
            ("set", path, "Description", "carbon-report：在浏览器中生成碳排放评价报告（关闭窗口即停止）"),
            ("set", path, "IconLocation", exe + ",0"),
            ("set", path, "WindowStyle", 1),
            ("Save", path),
        ]
    assert [c for c in shell.calls if c[0] == "SpecialFolders"] == [("SpecialFolders", "Desktop"),
                                                                     ("SpecialFolders", "Programs")]
    assert written == [tmp_path / "Desktop" / "碳排放报告（网页）.lnk", tmp_path / "Programs" / "碳排放报告（网页）.lnk"]
    assert shortcut.remove_shortcuts(shell) == written and not any(p.exists() for p in written)
    assert shortcut.remove_shortcuts(shell) == []


def test_the_shortcuts_command_line_starts_the_page(tmp_path: Path) -> None:
    """TargetPath + Arguments in WorkingDirectory, as Windows runs them; the browser is opened at the URL."""
    spec = shortcut.shortcut_spec(sys.executable, home=str(tmp_path))
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"  # stands in for the default browser: notes the address it is given
    browser.write_text(f"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "BROWSER": f"{sys.executable} {browser} %s"}
    proc = subprocess.Popen([spec.target, *shlex.split(spec.arguments)], cwd=spec.working_dir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "token=" in url
        assert "（已自动打开）" in proc.stdout.readline()  # it opens the browser: no --no-browser in a shortcut
        assert requests.get(url, timeout=60).status_code == 200
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert opened.read_text(encoding="utf-8") == url  # the browser was opened at the page's address
    finally:
        proc.send_signal(2)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == 0


def test_install_on_windows_writes_the_shortcuts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shell = FakeShell(tmp_path / "shell")
    monkeypatch.setattr(shortcut, "_shell", lambda: shell)
    monkeypatch.setattr(addin_mod, "warm_up", lambda: None)
    notices: list[str] = []
    path = addin_mod.install_addin(tmp_path / "XLSTART", platform="win32", notices=notices,
                                   settings={"Interpreter_Win": r"C:\Python312\python.exe"})
    assert path == tmp_path / "XLSTART" / "carbon_report.xlam"
    assert (tmp_path / "shell" / "Desktop" / "碳排放报告（网页）.lnk").exists()
    assert len([n for n in notices if n.startswith("已创建网页快捷方式")]) == 2
    status = addin_mod.addin_status(tmp_path / "XLSTART", platform="win32")
    assert status[0] == f"Excel 启动文件夹 XLSTART: {tmp_path / 'XLSTART'}"
    assert status[1].startswith(f"加载项 add-in: 已安装 installed {path}（carbon-report ")
    assert "与本机一致" in status[1]
    assert status[2] == r"按钮使用的 Python interpreter: C:\Python312\python.exe（不存在，请重新运行 carbon-report addin --install）"
    assert status[3].startswith("网页快捷方式 shortcut: ") and status[3].endswith("（已创建）")
    removed = addin_mod.uninstall_addin(tmp_path / "XLSTART", platform="win32")
    assert removed[0] == path and not path.exists() and len(removed) == 3
    assert addin_mod.addin_status(tmp_path / "XLSTART", platform="win32")[1].startswith("加载项 add-in: 未安装")


def test_a_shortcut_that_cannot_be_made_does_not_fail_the_install(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def no_com() -> None:
        raise ImportError("No module named 'win32com'")

    monkeypatch.setattr(shortcut, "_shell", no_com)
    monkeypatch.setattr(addin_mod, "warm_up", lambda: None)
    notices: list[str] = []
    path = addin_mod.install_addin(tmp_path / "XLSTART", platform="win32", notices=notices, settings={})
    assert path.is_file()
    assert notices == ["未能创建网页快捷方式（ImportError: No module named 'win32com'）；可在命令提示符中运行 py -m carbon_report web"]


def test_addin_status_and_uninstall_on_the_command_line(cli, tmp_path: Path) -> None:
    xlstart = tmp_path / "XLSTART"
    assert cli("addin", "--install", "--xlstart", xlstart).returncode == 0
    r = cli("addin", "--status", "--xlstart", xlstart)
    assert r.returncode == 0
    assert f"加载项 add-in: 已安装 installed {xlstart / 'carbon_report.xlam'}" in r.stdout
    r = cli("addin", "--uninstall", "--xlstart", xlstart)
    assert r.returncode == 0 and f"已删除 removed: {xlstart / 'carbon_report.xlam'}" in r.stdout
    assert not (xlstart / "carbon_report.xlam").exists()
    r = cli("addin", "--uninstall", "--xlstart", xlstart)
    assert r.returncode == 0 and "未找到已安装的加载项" in r.stdout
    assert "未安装 not installed" in cli("addin", "--status", "--xlstart", xlstart).stdout
