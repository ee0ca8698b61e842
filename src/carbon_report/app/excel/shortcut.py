"""Windows: a Start-menu and a desktop shortcut that start the page (`carbon-report web`), written by
`carbon-report addin --install` and removed by `--uninstall`.

A .lnk file is made by the Windows Script Host's WScript.Shell (COM, through pywin32, which xlwings brings on
Windows): `SpecialFolders` gives the real Desktop and Start-menu Programs folders (a desktop moved into
OneDrive included), `CreateShortcut(path)` returns an object whose properties are set and then `Save()`d.
Only Windows can run this; tests/test_excel_shortcut.py checks the exact calls on a fake shell and runs the
shortcut's command line.

The shortcut runs the console python.exe (not pythonw.exe): the page's console window shows its address and
closing it stops the page.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

SHORTCUT_NAME = "碳排放报告（网页）.lnk"
FOLDERS = ("Desktop", "Programs")  # WScript.Shell SpecialFolders names: the desktop, Start menu → Programs
ARGUMENTS = "-m carbon_report web"
DESCRIPTION = "carbon-report：在浏览器中生成碳排放评价报告（关闭窗口即停止）"
SHOW_NORMAL = 1  # WindowStyle: a normal window


@dataclass(frozen=True)
class ShortcutSpec:
    target: str  # TargetPath
    arguments: str  # Arguments
    working_dir: str  # WorkingDirectory
    description: str
    icon: str  # IconLocation "path,index"


def shortcut_spec(executable: str | None = None, home: str | None = None) -> ShortcutSpec:
    """What the shortcut runs: this Python's console interpreter with `-m carbon_report web`, in the user's
    home folder (a relative path given later is then the user's, not System32)."""
    text = executable or sys.executable
    exe = PureWindowsPath(text) if "\\" in text else PurePosixPath(text)  # a test runs it on Linux
    if exe.name.lower() == "pythonw.exe":
        exe = exe.with_name("python.exe")
    folder = home if home is not None else str(Path.home())
    return ShortcutSpec(str(exe), ARGUMENTS, folder, DESCRIPTION, f"{exe},0")


def _shell() -> Any:  # pragma: no cover - Windows only
    import win32com.client

    return win32com.client.Dispatch("WScript.Shell")


def shortcut_paths(shell: Any = None) -> list[Path]:
    shell = shell or _shell()
    return [Path(str(shell.SpecialFolders(f))) / SHORTCUT_NAME for f in FOLDERS]


def write_shortcuts(shell: Any = None, spec: ShortcutSpec | None = None) -> list[Path]:
    shell = shell or _shell()
    spec = spec or shortcut_spec()
    written = []
    for path in shortcut_paths(shell):
        link = shell.CreateShortcut(str(path))
        link.TargetPath = spec.target
        link.Arguments = spec.arguments
        link.WorkingDirectory = spec.working_dir
        link.Description = spec.description
        link.IconLocation = spec.icon
        link.WindowStyle = SHOW_NORMAL
        link.Save()
        written.append(path)
    return written


def remove_shortcuts(shell: Any = None) -> list[Path]:
    removed = []
    for path in shortcut_paths(shell):
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed
