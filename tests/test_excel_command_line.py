"""The command line the add-in's VBA builds, run for real: what a click starts, up to the product's message.

xlwings' VBA (RunPython → ExecuteWindows on Windows; ExecuteMac → its AppleScript on macOS) builds one
command line from the add-in's settings and the workbook's FullName. Here that line is built the way the VBA
builds it (each VBA line mirrored is checked to be in the generated add-in, word for word), taken apart as
cmd.exe and the C runtime take it apart on Windows (or run by /bin/sh, as the AppleScript does), and run
in a real Python. Excel itself is the one thing replaced: excel_subprocess/sitecustomize.py answers
xw.Book.caller() with a FakeBook of the workbook file.

The cases: a local workbook, a OneDrive address (xlwings cannot map it: before ADD_WORKBOOK_TO_PYTHONPATH
was false, this ended in xlwings' English traceback before carbon_report was imported), and a Chinese user
name with a space and an ampersand in the folder. Each must end in the product's message box, with nothing
on stderr (which the VBA would show as an error window) and with a docx.py in the current folder ignored.
"""

from __future__ import annotations

import json
import os
import re
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

import workbooks
from carbon_report.app.excel.addin import write_addin
from excel_fake import settings_of

TESTS = Path(__file__).resolve().parent
ONEDRIVE = "https://d.docs.live.net/abc123/文档/企业填报.xlsx"


@dataclass
class AddinView:
    """What the VBA reads from the add-in: the Python command of a button and its settings sheet."""

    main: str
    check: str
    settings: dict[str, str]
    xlwings_vba: str


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> AddinView:
    path = write_addin(tmp_path_factory.mktemp("addin"), {"Interpreter_Win": r"C:\Python311\python.exe"})
    parser = VBA_Parser(str(path))
    try:
        macros = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    ribbon = macros["RibbonCarbonReport.bas"]
    calls = dict(re.findall(r'Sub (RunMain|RunCheck)\(control As IRibbonControl\)\r\n    RunCarbonReport "([^"]*)"',
                            ribbon))
    return AddinView(calls["RunMain"], calls["RunCheck"], settings_of(path), macros["xlwings.bas"])


@pytest.fixture(scope="module")
def chinese_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real interpreter under a Chinese user name (…/Users/张三/env/bin/python), seeing the packages of the
    Python running the tests: a venv whose .pth adds this Python's site-packages."""
    env = tmp_path_factory.mktemp("home") / "Users" / "张三" / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    purelib = Path(sysconfig.get_paths(vars={"base": str(env), "platbase": str(env)})["purelib"])
    parent = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    # One line that site.py runs with exec(): no comprehension, whose own scope would not see `site`.
    line = f"import site; list(map(site.addsitedir, {parent!r}))\n"
    (purelib / "tests_parent.pth").write_text(line, encoding="utf-8")
    return env / "bin" / "python"


# ---- the VBA's string building, line for line --------------------------------------------------------------

# The lines of xlwings' VBA module (RunPython, ExecuteWindows, ExecuteMac) that the functions below mirror.
VBA_LINES = [
    'AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")',
    'PYTHONPATH = AddExcelDir & ";" & ActiveFullName & ";" & ThisFullName & ";" & GetConfig("ONEDRIVE_CONSUMER_WIN")'
    ' & ";" & GetConfig("ONEDRIVE_COMMERCIAL_WIN") & ";" & GetConfig("SHAREPOINT_WIN") & ";" & GetConfig("PYTHONPATH")',
    'PYTHONPATH = AddExcelDir & ";" & ActiveFullName & ";" & ThisFullName & ";" & GetConfig("ONEDRIVE_CONSUMER_MAC")'
    ' & ";" & GetConfig("ONEDRIVE_COMMERCIAL_MAC") & ";" & GetConfig("SHAREPOINT_MAC") & ";" & GetConfig("PYTHONPATH")',
    'PythonInterpreter = Chr(34) & PYTHON_WIN & Chr(34)',
    'PYTHONPATH = Replace(PYTHONPATH, "&", "^&")',
    'PYTHONPATH = Replace(PYTHONPATH, "\\", "\\\\")',
    'RunCommand = CondaCmd & PythonInterpreter & " -B -c ""import xlwings.utils;xlwings.utils.prepare_sys_path(\\"""'
    ' & PYTHONPATH & "\\""); " & PythonCommand & """ "',
    'ExitCode = WScript.Run("cmd.exe /C " & DriveCommand & _',
    '" --wb=" & """" & ActiveWorkbook.Name & """ --from_xl=1" & " --app=" & Chr(34) & _',
    'Application.Path & "\\" & Application.Name & Chr(34) & " --hwnd=" & Chr(34) & Application.Hwnd & Chr(34) & _',
    '" 2> """ & LOG_FILE & """ ", _',
    'DriveCommand = Left$(PYTHON_WIN, 2) & " & cd """ & PythonDir & """ & "',
    'PYTHONPATH = Replace(PYTHONPATH, "\'", "\\\'") \' Escaping quotes',
    'ParameterString = PYTHONPATH + ";"',
]
# xlwings' AppleScript (xlwings-<version>.applescript), which ExecuteMac hands the parameters to.
APPLESCRIPT = ('set ShellCommand to PythonInterpreter & " -B -u -W ignore -c \\"import xlwings.utils;'
               'xlwings.utils.prepare_sys_path(\'" & PYTHONPATH & "\');" & ¬')


def test_the_mirrored_vba_is_the_vba_in_the_addin(addin: AddinView) -> None:
    code = "\n".join(line.strip() for line in addin.xlwings_vba.splitlines())
    for line in VBA_LINES:
        assert line in code, line
    import xlwings

    script = next(Path(xlwings.__file__).parent.glob("xlwings-*.applescript")).read_text(encoding="utf-8")
    assert APPLESCRIPT in script


def pythonpath(add_excel_dir: str, active: str, this: str) -> str:
    return ";".join([add_excel_dir, active, this, "", "", "", ""])  # no OneDrive/SharePoint/PYTHONPATH settings


def windows_line(interpreter: str, command: str, add_excel_dir: str, active: str, this: str, name: str) -> str:
    """ExecuteWindows' WScript.Run argument for `RunPython command`."""
    path = pythonpath(add_excel_dir, active, this).replace("&", "^&").replace("\\", "\\\\")
    python_dir = interpreter.rsplit("\\", 1)[0]
    drive = f'{interpreter[:2]} & cd "{python_dir}" & '
    run = (f'"{interpreter}" -B -c "import xlwings.utils;xlwings.utils.prepare_sys_path(\\"{path}\\"); '
           f'{command}" ')
    return (f"cmd.exe /C {drive}{run} --wb=\"{name}\" --from_xl=1 --app=\"C:\\Program Files\\Microsoft Office\\root"
            f"\\Office16\\EXCEL.EXE\" --hwnd=\"132456\" 2> \"C:\\Users\\x\\AppData\\Local\\Temp\\xlwings-1.log\" ")


def mac_line(interpreter: str, command: str, add_excel_dir: str, active: str, this: str, name: str, log: Path) -> str:
    """The AppleScript's ShellCommand for ExecuteMac's ParameterString."""
    path = pythonpath(add_excel_dir, active, this).replace("'", "\\'") + ";"
    app = "/Applications/Microsoft Excel.app/Contents"
    return (f'{interpreter} -B -u -W ignore -c "import xlwings.utils;xlwings.utils.prepare_sys_path(\'{path}\');'
            f'{command} " "--wb={name}" "--from_xl=1" "--app={app}" > /dev/null 2>"{log}" & ')


# ---- cmd.exe and the C runtime, as documented --------------------------------------------------------------


def cmd_exe(line: str) -> tuple[list[str], str, str]:
    """`cmd.exe /C …` → (the commands before the last, the last command's text, its 2> file). cmd toggles
    quoting at every ", and only outside quotes treats ^ as an escape and & as a command separator."""
    assert line.startswith("cmd.exe /C ")
    commands, current, quoted, i, text = [], "", False, 0, line[len("cmd.exe /C "):]
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "^" and not quoted:
            i += 1
            ch = text[i]
        elif ch == "&" and not quoted:
            commands.append(current)
            current, i = "", i + 1
            continue
        current += ch
        i += 1
    last, redirect = re.fullmatch(r'(.*) 2> "([^"]*)" ', current, flags=re.S).groups()
    return [c.strip() for c in commands], last, redirect


def c_runtime_argv(line: str) -> list[str]:
    """CommandLineToArgvW's rules: 2n backslashes before " → n and a quote toggle; 2n+1 → n and a literal ";
    other backslashes are literal; spaces outside quotes separate arguments."""
    args, current, quoted, has_arg, i = [], "", False, False, 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            n = len(line[i:]) - len(line[i:].lstrip("\\"))
            if i + n < len(line) and line[i + n] == '"':
                current += "\\" * (n // 2)
                if n % 2:
                    current += '"'
                    i += n + 1
                else:
                    i += n
                has_arg = True
                continue
            current += "\\" * n
            i += n
            has_arg = True
            continue
        if ch == '"':
            quoted, has_arg = not quoted, True
        elif ch in " \t" and not quoted:
            if has_arg:
                args.append(current)
            current, has_arg = "", False
        else:
            current += ch
            has_arg = True
        i += 1
    if has_arg:
        args.append(current)
    return args


def test_the_parsers_follow_the_documented_rules() -> None:
    assert c_runtime_argv(r'"a b" c\\d "e\"f" g\\\"h "i\\" j') == ["a b", r"c\\d", 'e"f', 'g\\"h', "i\\", "j"]
    assert cmd_exe('cmd.exe /C x & "a^&b" c^&d 2> "l" ') == (["x"], ' "a^&b" c&d', "l")


# ---- running it ------------------------------------------------------------------------------------------


def shadowing_folder(folder: Path) -> Path:
    """A client's folder with files named like the packages carbon-report imports."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("docx", "pint"):
        (folder / f"{name}.py").write_text('raise SystemExit("SHADOWED: a client file was imported")\n', encoding="utf-8")
    return folder


def run_in_python(argv: list[str], book: Path, fullname: str, platform: str, cwd: Path, tmp: Path,
                  shell: bool = False) -> tuple[subprocess.CompletedProcess[str], dict]:
    out = tmp / "seen.json"
    # the fakes, then the tree under test (a worktree's src, not only the installed copy)
    src = os.pathsep.join([str(TESTS / "excel_subprocess"), str(TESTS.parent / "src")])
    env = {**os.environ, "PYTHONPATH": src, "CR_TEST_FAKE_DIR": str(TESTS),
           "CR_TEST_BOOK": str(book), "CR_TEST_FULLNAME": fullname, "CR_TEST_PLATFORM": platform,
           "CR_TEST_OUT": str(out), "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONSAFEPATH", None)
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=240,
                          shell=shell, executable="/bin/sh" if shell else None)
    seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return proc, seen


def run_windows(line: str, book: Path, fullname: str, cwd: Path, tmp: Path,
                python: str = sys.executable) -> tuple[subprocess.CompletedProcess[str], dict]:
    before, last, log = cmd_exe(line)
    assert before[0] == "C:" and before[1].startswith('cd "C:\\') and log.endswith(".log")
    argv = c_runtime_argv(last)
    assert argv[0].endswith("python.exe") and argv[1:3] == ["-B", "-c"]
    # The interpreter is a Python here; cwd stands for the folder cmd.exe would be in.
    return run_in_python([python, *argv[1:]], book, fullname, "win32", cwd, tmp)


def assert_product_message(proc: subprocess.CompletedProcess[str], seen: dict, tmp: Path) -> str:
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # anything here, the VBA would show as an error window (a traceback, say)
    assert len(seen["alerts"]) == 1 and seen["alerts"][0]["title"] == "碳排放报告"
    prompt = seen["alerts"][0]["prompt"]
    assert "Traceback" not in prompt and "SHADOWED" not in prompt
    # Nothing was imported from the client's folder.
    assert all(str(tmp) not in (f or "") for f in seen["modules"].values()), seen["modules"]
    assert "" not in seen["sys_path"]
    return prompt


@pytest.fixture
def chinese_user(tmp_path: Path) -> tuple[Path, Path]:
    folder = shadowing_folder(tmp_path / "Users" / "张三" / "Documents" / "企业 & 报告")
    return folder, workbooks.build(folder / "企业填报.xlsx")


def test_windows_local_workbook(addin: AddinView, tmp_path: Path) -> None:
    folder = shadowing_folder(tmp_path / "企业")
    book = workbooks.build(folder / "企业填报.xlsx")
    expected = workbooks.SEED_COMPANY["企业名称"]
    line = windows_line(r"C:\Python311\python.exe", addin.main, addin.settings["ADD_WORKBOOK_TO_PYTHONPATH"],
                        str(book), r"C:\Users\x\AppData\Roaming\Microsoft\Excel\XLSTART\carbon_report.xlam", book.name)
    proc, seen = run_windows(line, book, str(book), folder, tmp_path)
    prompt = assert_product_message(proc, seen, tmp_path)
    assert expected in prompt and "排放总量：" in prompt and "错误 0 个" in prompt
    report = folder / "企业填报_评价报告.docx"
    assert report.is_file() and f"报告：{report}" in prompt
    assert seen["sheets"][-7:] == ["校验结果", "计算明细", "排放汇总", "范围汇总", "减排目标测算", "历年对比", "数据缺口"]
    # Each step was shown in the status bar, and the status bar was given back to Excel at the end.
    assert [s for s in seen["status"] if s] == ["读取工作簿……", "校验……", "计算……", "写入计算表……",
                                                 "生成报告……"]
    assert seen["status"][-1] is False


def test_windows_onedrive_address(addin: AddinView, tmp_path: Path) -> None:
    folder = shadowing_folder(tmp_path / "OneDrive")
    book = workbooks.build(folder / "企业填报.xlsx")
    line = windows_line(r"C:\Python311\python.exe", addin.main, addin.settings["ADD_WORKBOOK_TO_PYTHONPATH"],
                        ONEDRIVE, r"C:\Users\x\AppData\Roaming\Microsoft\Excel\XLSTART\carbon_report.xlam", book.name)
    proc, seen = run_windows(line, book, ONEDRIVE, folder, tmp_path)
    prompt = assert_product_message(proc, seen, tmp_path)
    assert "排放总量：" in prompt and "未生成报告：工作簿的位置是网址（OneDrive/SharePoint" in prompt
    assert "排放汇总" in seen["sheets"] and not list(folder.glob("*.docx"))


def test_before_the_setting_the_onedrive_address_never_reached_the_product(addin: AddinView, tmp_path: Path) -> None:
    """The same line with xlwings' default (true): its traceback, not our message. This is what the setting
    in the add-in prevents (and shows that this test would see it)."""
    folder = shadowing_folder(tmp_path / "OneDrive")
    book = workbooks.build(folder / "企业填报.xlsx")
    line = windows_line(r"C:\Python311\python.exe", addin.main, "true", ONEDRIVE,
                        r"C:\Users\x\AppData\Roaming\Microsoft\Excel\XLSTART\carbon_report.xlam", book.name)
    proc, seen = run_windows(line, book, ONEDRIVE, folder, tmp_path)
    assert proc.returncode != 0 and "Traceback (most recent call last)" in proc.stderr
    assert "OneDrive" in proc.stderr and not seen.get("alerts")


def test_windows_chinese_user_name(addin: AddinView, chinese_user: tuple[Path, Path], chinese_python: Path,
                                   tmp_path: Path) -> None:
    folder, book = chinese_user
    windows_book = r"C:\Users\张三\Documents\企业 & 报告\企业填报.xlsx"
    line = windows_line(r"C:\Users\张三\AppData\Local\Programs\Python\Python311\python.exe", addin.check,
                        addin.settings["ADD_WORKBOOK_TO_PYTHONPATH"], windows_book,
                        r"C:\Users\张三\AppData\Roaming\Microsoft\Excel\XLSTART\carbon_report.xlam", book.name)
    # What cmd.exe and the C runtime hand Python: the path intact, as prepare_sys_path receives it.
    argv = c_runtime_argv(cmd_exe(line)[1])
    assert f'prepare_sys_path("false;{windows_book.replace(chr(92), chr(92) * 2)};' in argv[3]
    assert argv[4:6] == ["--wb=企业填报.xlsx", "--from_xl=1"]
    proc, seen = run_windows(line, book, str(book), folder, tmp_path, python=str(chinese_python))
    prompt = assert_product_message(proc, seen, tmp_path)
    assert "校验通过" in prompt and "排放总量：" in prompt and not list(folder.glob("*.docx"))
    assert "张三" in seen["executable"]


@pytest.mark.parametrize("where", ["local", "onedrive"])
def test_mac_command_line_through_the_shell(addin: AddinView, chinese_user: tuple[Path, Path], chinese_python: Path,
                                            tmp_path: Path, where: str) -> None:
    """macOS: the AppleScript's shell command, run by /bin/sh as `do shell script` runs it (in the
    background: the test waits for it)."""
    folder, book = chinese_user
    fullname = str(book) if where == "local" else ONEDRIVE
    log = tmp_path / "xlwings.log"
    line = mac_line(str(chinese_python), addin.check, addin.settings["ADD_WORKBOOK_TO_PYTHONPATH"], fullname,
                    "/Users/张三/Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel/carbon_report.xlam",
                    book.name, log)
    proc, seen = run_in_python(line + "wait", book, fullname, "darwin", folder, tmp_path, shell=True)
    assert log.read_text(encoding="utf-8") == ""  # the VBA shows any text in this log as an error
    proc.stderr = log.read_text(encoding="utf-8")
    prompt = assert_product_message(proc, seen, tmp_path)
    assert "张三" in seen["executable"]
    if where == "local":
        assert "校验通过" in prompt
    else:
        assert "OneDrive" in prompt and "ONEDRIVE_CONSUMER_WIN/MAC" in prompt
