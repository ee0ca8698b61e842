"""The consultancy profile on disk: `carbon-report profile [show | set KEY VALUE | template PATH]`.

    profile_dir() -> Path                      # the user config folder (platformdirs), e.g. ~/.config/carbon-report
    load_profile() -> Profile                  # an empty Profile when there is none yet
    set_value(key, text) -> Profile            # checked, then written atomically
    profile_run(companies, today) -> ProfileRun | None   # what a run sends its workers (report numbers given out)
    report_template(profile) -> Path | None    # the profile's own template, copied into the profile folder

The report-number counter lives beside the profile (counter.json) and is advanced under a file lock, by the
process that starts a run (CLI, Excel button, web page), never by a batch worker: a company and year keep the
number they were given, so running a corrected workbook again does not use up a new one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from carbon_report.core.errors import OutputError, ProfileError
from carbon_report.core.profile import (
    KEYS,
    PROFILE_KEYS,
    PatternError,
    Profile,
    ProfileRun,
    check_pattern,
    format_report_number,
    parse_members,
)

APP_NAME = "carbon-report"
PROFILE_FILE = "profile.json"
COUNTER_FILE = "counter.json"
LOCK_FILE = "counter.lock"
MAX_LOGO_BYTES = 5 * 1024 * 1024
MAX_TEMPLATE_BYTES = 50 * 1024 * 1024
LOCK_TIMEOUT = 30.0  # seconds a run waits for another one that is giving out report numbers


def profile_dir() -> Path:
    """The user's config folder for carbon-report: %APPDATA%\\carbon-report on Windows, ~/Library/Application
    Support/carbon-report on macOS, $XDG_CONFIG_HOME/carbon-report (~/.config) on Linux."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))


def load_profile(folder: Path | None = None) -> Profile:
    folder = folder or profile_dir()
    path = folder / PROFILE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Profile()
    except OSError as e:
        raise ProfileError(f"{path} 无法读取（{e.strerror or type(e).__name__}）") from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        raise ProfileError(f"{path} 已损坏（不是有效的 JSON）；可删除该文件后重新用 carbon-report profile set 设置") from None
    values: dict[str, object] = {}
    for k in PROFILE_KEYS:
        v = data.get(k.key)
        if k.kind == "list":
            values[k.key] = tuple(str(x) for x in v) if isinstance(v, list) else parse_members(str(v or ""))
        elif v is not None:
            values[k.key] = str(v)
    return Profile(**values)  # type: ignore[arg-type]


def save_profile(profile: Profile, folder: Path | None = None) -> Path:
    from carbon_report.io.atomic import write_bytes

    folder = folder or profile_dir()
    path = folder / PROFILE_FILE
    data = {k.key: (list(profile.members) if k.kind == "list" else getattr(profile, k.key)) for k in PROFILE_KEYS}
    try:
        write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    except OutputError as e:
        raise ProfileError(f"无法写入：{e.message}") from None
    return path


def set_value(key: str, text: str, folder: Path | None = None) -> Profile:
    """Check `text` for `key` and store it ("" clears the key). A logo or template is copied into the profile
    folder after its checks, so the profile keeps working when the original is moved or changed."""
    folder = folder or profile_dir()
    if key not in KEYS:
        raise ProfileError(f"没有名为“{key}”的配置项；可用的有：{'、'.join(k.key for k in PROFILE_KEYS)}")
    profile = load_profile(folder)
    text = text.strip()
    kind = KEYS[key].kind
    value: object = text
    if kind == "list":
        value = parse_members(text)
    elif kind == "pattern" and text:
        try:
            check_pattern(text)
            format_report_number(text, dt.date.today(), 1)
        except (PatternError, ValueError) as e:
            raise ProfileError(str(e) if isinstance(e, PatternError) else f"报告编号格式“{text}”不可用（{e}）") from None
    elif kind == "file" and text:
        value = _store_file(key, Path(text), folder)
    elif kind == "folder" and text:
        p = Path(text).expanduser()
        if p.exists() and not p.is_dir():
            raise ProfileError(f"默认输出文件夹“{p}”是一个文件，不是文件夹")
        value = str(p.resolve())
    profile = dataclasses.replace(profile, **{key: value})
    save_profile(profile, folder)
    return profile


def _store_file(key: str, source: Path, folder: Path) -> str:
    """The logo or template checked as any picture or template is, then copied in; returns its new name."""
    from carbon_report.io.atomic import write_bytes

    what = "机构标志" if key == "logo" else "报告模板"
    if not source.exists():
        raise ProfileError(f"{what}文件“{source}”不存在")
    if not source.is_file() or source.is_symlink():
        raise ProfileError(f"{what}“{source}”不是普通文件")
    size = source.stat().st_size
    limit = MAX_LOGO_BYTES if key == "logo" else MAX_TEMPLATE_BYTES
    if size > limit:
        raise ProfileError(f"{what}文件“{source.name}”过大（{size / 1048576:.1f} MB，上限 {limit / 1048576:g} MB）")
    data = source.read_bytes()
    if key == "logo":
        from carbon_report.io.pictures import image_kind, too_many_pixels

        kind = image_kind(data[:8])
        if kind is None:
            raise ProfileError(f"机构标志“{source.name}”不是 PNG 或 JPEG 图片")
        if too_many_pixels(source):
            raise ProfileError(f"机构标志“{source.name}”像素过多，请缩小后再设置")
        name = "logo.png" if kind == "PNG" else "logo.jpg"
    else:
        check_template(source)
        name = "report_template.docx"
    dest = folder / name
    try:
        for old in ("logo.png", "logo.jpg") if key == "logo" else ():
            if old != name:
                (folder / old).unlink(missing_ok=True)
        write_bytes(dest, data)
    except (OutputError, OSError) as e:
        raise ProfileError(f"{what}无法复制到配置文件夹 {folder}：{getattr(e, 'message', e)}") from None
    return name


def check_template(path: Path) -> None:
    """What any report template goes through: a Word .docx (zip with word/document.xml), prepared and
    compiled by the sandboxed renderer, so a broken tag is found now and not on the first report."""
    from carbon_report.core.errors import PathRefused, TemplateError
    from carbon_report.io.package import BAD_ZIP, Package
    from carbon_report.outputs.report.template_file import MAX_TEMPLATE_BYTES

    try:
        with Package.read(path, max_bytes=MAX_TEMPLATE_BYTES) as z:
            if not z.has("word/document.xml"):
                raise ProfileError(f"报告模板“{path.name}”不是 Word 文档（.docx）")
    except (PathRefused, OSError, *BAD_ZIP):
        raise ProfileError(f"报告模板“{path.name}”不是 Word 文档（.docx）") from None
    from carbon_report.outputs.report.render import warm

    try:
        warm(path)
    except TemplateError as e:
        raise ProfileError(f"报告模板“{path.name}”有误：{e.message}") from None
    except Exception as e:  # noqa: BLE001 - an untrusted file: whatever python-docx or Jinja says is one line
        raise ProfileError(f"报告模板“{path.name}”无法使用：{type(e).__name__}: {e}") from None


def report_template(profile: Profile, folder: Path | None = None) -> Path | None:
    """The profile's template (its copy in the profile folder); ProfileError when that copy is gone, rather
    than falling back to the built-in one unsaid."""
    if not profile.template:
        return None
    path = (folder or profile_dir()) / Path(profile.template).name
    if not path.is_file():
        raise ProfileError(f"配置的报告模板 {path} 已不存在；请重新设置（carbon-report profile template PATH）"
                           "或清除（carbon-report profile set template \"\"）")
    return path


def out_dir(profile: Profile) -> Path | None:
    return Path(profile.out_dir) if profile.out_dir else None


def show_lines(profile: Profile) -> list[str]:
    """`profile show`: one `key = value  # 中文标签` line per key, in PROFILE_KEYS order."""
    return [f"{k.key} = {profile.value(k.key)}  # {k.label}" for k in PROFILE_KEYS]


# ---- a run's share of the profile ---------------------------------------------------------------------------


def profile_run(companies: Iterable[tuple[str, int, dt.date | None]], *, today: dt.date | None = None,
                folder: Path | None = None, profile: Profile | None = None) -> ProfileRun | None:
    """The profile as one run's workers receive it: its texts, its logo's bytes, and a report number for each
    (统一社会信用代码, 核算年度) given when the profile has a pattern, dated by the workbook's 报告日期 (else
    `today`). None when there is no profile."""
    folder = folder or profile_dir()
    profile = load_profile(folder) if profile is None else profile
    if profile.is_empty():
        return None
    logo: bytes | None = None
    if profile.logo:
        try:
            logo = (folder / Path(profile.logo).name).read_bytes()
        except OSError:
            logo = None
    numbers: tuple[tuple[str, int, str], ...] = ()
    day = today or dt.date.today()
    wanted = sorted({(u, y, d or day) for u, y, d in companies if u and y})
    if profile.report_number_pattern and wanted:
        numbers = give_numbers(profile.report_number_pattern, wanted, folder)
    return ProfileRun(profile, logo, Path(profile.logo).name if logo else "", numbers)


def give_numbers(pattern: str, companies: list[tuple[str, int, dt.date]],
                 folder: Path) -> tuple[tuple[str, int, str], ...]:
    """Report numbers for these companies and years (each with the day its number is dated): the one given
    before (with this pattern), else the next of the counter. The counter file is read, advanced and written
    back under an exclusive lock, so two runs started at once never give out the same number."""
    from filelock import FileLock, Timeout

    from carbon_report.io.atomic import write_bytes

    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / LOCK_FILE), timeout=LOCK_TIMEOUT)
        with lock:
            path = folder / COUNTER_FILE
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                state = {}
            except ValueError:
                raise ProfileError(f"报告编号计数器 {path} 已损坏；请检查后删除或修复该文件") from None
            seq = int(state.get("seq", 0))
            given: dict[str, dict[str, str]] = dict(state.get("given", {}))
            out: list[tuple[str, int, str]] = []
            changed = False
            for uscc, year, day in companies:
                key = f"{uscc}/{year}"
                old = given.get(key)
                if old and old.get("pattern") == pattern:
                    out.append((uscc, year, old["number"]))
                    continue
                seq += 1
                number = format_report_number(pattern, day, seq)
                given[key] = {"pattern": pattern, "number": number, "date": day.isoformat()}
                out.append((uscc, year, number))
                changed = True
            if changed:
                write_bytes(path, (json.dumps({"seq": seq, "given": given}, ensure_ascii=False, indent=1)
                                   + "\n").encode("utf-8"))
    except Timeout:
        raise ProfileError(f"报告编号计数器被另一个运行占用超过 {LOCK_TIMEOUT:g} 秒（{folder / LOCK_FILE}）") from None
    except (OutputError, OSError) as e:
        raise ProfileError(f"报告编号计数器无法写入（{getattr(e, 'message', None) or e}）") from None
    return tuple(out)


def companies_of(paths: Iterable[Path]) -> list[tuple[str, int, dt.date | None]]:
    """(统一社会信用代码, 核算年度, 报告日期 or None) of each workbook whose 报告编号 is blank (read from 企业信息
    alone): the companies that take a number from the profile's pattern (a workbook's own 报告编号 wins)."""
    from carbon_report.io.reader import peek_company, peek_labels

    out: list[tuple[str, int, dt.date | None]] = []
    for p in paths:
        got = peek_company(Path(p))
        if got is None:
            continue
        labels = peek_labels(Path(p), ("report_no", "report_date"))
        if "report_no" not in labels:
            out.append((got[0], got[1], _date(labels.get("report_date"))))
    return out


def _date(value: object) -> dt.date | None:
    """报告日期 as peeked: a date typed as text, or Excel's serial day number (1900 date system)."""
    from carbon_report.core.values import parse_date

    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    try:
        return parse_date(value)
    except (ValueError, TypeError):
        return None
