"""`carbon-report batch --dask`: a real LocalCluster of two worker processes (tests/dask_cluster.py, started
here), the real CLI in a process of its own, the same batch run locally beside it."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("distributed")
import psutil  # noqa: E402 - distributed's own dependency

import workbooks  # noqa: E402
from carbon_report.app.pipeline import Options  # noqa: E402
from dask_cluster import local_cluster  # noqa: E402

HERE = Path(__file__).parent
CLI = [sys.executable, "-m", "carbon_report.app.cli"]
USCC_2 = "91350100M000100Y7C"


def run_cli(*args: str | Path, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([*CLI, "batch", *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=timeout)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, psutil.Process]]:
    with local_cluster() as running:
        yield running


def workers(helper: psutil.Process) -> list[psutil.Process]:
    """The cluster's worker processes (the nanny's spawned children)."""
    out = []
    for p in helper.children():
        with_spawn = False
        with contextlib.suppress(psutil.Error):  # a process that just ended
            with_spawn = any("spawn_main" in part for part in p.cmdline())
        if with_spawn:
            out.append(p)
    return out


def file_workers(worker: psutil.Process) -> list[psutil.Process]:
    """The subprocess workers (carbon_report.app.batch.children) a Dask worker started for its files."""
    out = []
    for p in worker.children():
        with contextlib.suppress(psutil.Error):
            if "carbon_report.app.batch.children" in p.cmdline():
                out.append(p)
    return out


def busy(worker: psutil.Process) -> bool:
    """A shard is running on `worker`: one of its subprocess workers used the CPU in the last tenth of a second
    (an idle one waits on its pipe and uses none)."""
    def used(p: psutil.Process) -> float:
        t = p.cpu_times()
        return t.user + t.system

    try:
        children = file_workers(worker)
        before = [used(p) for p in children]
        time.sleep(0.1)
        return any(used(p) > b for p, b in zip(children, before, strict=True))
    except psutil.Error:
        return False


def mixed(d: Path) -> Path:
    (d / "子目录").mkdir(parents=True)
    workbooks.build(d / "企业A.xlsx")
    workbooks.build(d / "子目录" / "企业B.xlsx", company={**workbooks.SEED_COMPANY, "统一社会信用代码": USCC_2})
    rows = [["原材料获取", "原材料", "钢筋", "很多", "t", "EF-STEEL-REBAR", None, None]]
    workbooks.build(d / "企业C.xlsx", activities=rows)  # same company and year as 企业A: a duplicate
    (d / "损坏.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (d / "空.xlsx").write_bytes(b"")
    return d


def normalised(doc: dict, out: Path) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).replace(str(out), "DIR")


def summary_cells(path: Path, out: Path) -> list[list[list[object]]]:
    wb = openpyxl.load_workbook(path)
    return [[[str(v).replace(str(out), "DIR") if isinstance(v, str) else v for v in row]
             for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets]


def listing(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))


@pytest.mark.parametrize("ship", [False, True], ids=["shared-path", "ship-inputs"])
def test_dask_batch_equals_the_local_batch(cluster: tuple[str, psutil.Process], tmp_path: Path, ship: bool) -> None:
    address, _ = cluster
    d = mixed(tmp_path / "收集")
    local = run_cli(d, "--out", tmp_path / "本机", "--recursive", "--json", "--jobs", "2")
    extra = ["--ship-inputs"] if ship else []
    dask = run_cli(d, "--out", tmp_path / "集群", "--recursive", "--json", "--dask", address, *extra)
    assert "Traceback" not in dask.stderr
    assert dask.returncode == local.returncode == 2  # two files could not be read
    here, there = json.loads(local.stdout), json.loads(dask.stdout)
    assert [f["status"] for f in there["files"]] == ["ok", "invalid", "unreadable", "unreadable", "ok"]
    assert "W-BATCH-DUPLICATE-COMPANY" in [i["code"] for i in there["files"][1]["issues"]]  # across shards
    assert normalised(there, tmp_path / "集群") == normalised(here, tmp_path / "本机")
    assert there["files"][0]["outputs"]["report"] == str(tmp_path / "集群" / "企业A_评价报告.docx")
    # DIR looks as the local batch leaves it: the same files, reports and 汇总.xlsx included
    assert listing(tmp_path / "集群") == listing(tmp_path / "本机")
    assert "子目录/企业B_评价报告.docx" in listing(tmp_path / "集群")
    assert summary_cells(tmp_path / "集群" / "汇总.xlsx", tmp_path / "集群") == summary_cells(
        tmp_path / "本机" / "汇总.xlsx", tmp_path / "本机")
    assert "[E-AMOUNT-NOT-NUMBER]" in dask.stderr and "[5/5]" in dask.stderr  # the progress lines


def test_a_worker_killed_during_the_run_loses_no_file(cluster: tuple[str, psutil.Process], tmp_path: Path) -> None:
    address, helper = cluster
    d = tmp_path / "in"
    d.mkdir()
    workbooks.build(d / "00.xlsx")
    for i in range(1, 24):
        shutil.copy(d / "00.xlsx", d / f"{i:02d}.xlsx")
    killed: list[int] = []
    stop = threading.Event()

    def kill_one() -> None:  # the first worker seen running a shard is killed, as a node going down
        while not stop.is_set() and not killed:
            for w in workers(helper):
                if busy(w):
                    time.sleep(0.3)
                    os.kill(w.pid, signal.SIGKILL)
                    killed.append(w.pid)
                    break
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one)
    killer.start()
    try:
        p = run_cli(d, "--out", tmp_path / "out", "--json", "--no-report", "--dask", address)
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was seen running a shard"
    doc = json.loads(p.stdout)
    assert p.returncode == 0, p.stderr
    assert [Path(f["input"]).name for f in doc["files"]] == [f"{i:02d}.xlsx" for i in range(24)]
    assert {f["status"] for f in doc["files"]} == {"ok"}
    assert len(list((tmp_path / "out").glob("*_计算结果.xlsx"))) == 24
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_a_file_whose_worker_is_lost_twice_is_reported_failed(tmp_path: Path) -> None:
    with local_cluster("1") as (address, helper):  # allowed-failures 1: a shard is given up after 2 lost workers
        lost_twice(address, helper, tmp_path)


def lost_twice(address: str, helper: psutil.Process, tmp_path: Path) -> None:
    d = tmp_path / "in"
    rows = workbooks.SEED_ACTIVITIES * 400  # slow enough to be caught running
    d.mkdir()
    workbooks.build(d / "毒.xlsx", activities=rows)
    stop = threading.Event()
    kills = []

    def kill_every_busy_worker() -> None:
        while not stop.is_set():
            for w in workers(helper):
                if busy(w):
                    time.sleep(0.2)
                    os.kill(w.pid, signal.SIGKILL)
                    kills.append(w.pid)
            time.sleep(0.02)

    killer = threading.Thread(target=kill_every_busy_worker)
    killer.start()
    try:
        p = run_cli(d, "--out", tmp_path / "out", "--json", "--no-report", "--dask", address, timeout=600)
    finally:
        stop.set()
        killer.join()
    doc = json.loads(p.stdout)
    assert p.returncode == 2, p.stderr
    (f,) = doc["files"]
    assert f["status"] == "unreadable" and [i["code"] for i in f["issues"]] == ["E-DASK-WORKER"]
    assert "[E-DASK-WORKER]" in p.stderr and "毒.xlsx" in p.stderr
    assert len(kills) >= 4  # allowed-failures 1: two lost workers per loss of its shard, lost twice
    assert (tmp_path / "out" / "汇总.xlsx").is_file()


# ---- one line, exit 2 -------------------------------------------------------------------------------------


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    workbooks.build(tmp_path / "in" / "a.xlsx")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = run_cli(tmp_path / "in", "--out", tmp_path / "out", "--dask", f"tcp://127.0.0.1:{port}",
                env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert p.returncode == 2
    assert "[E-DASK-CONNECT]" in p.stderr and f"127.0.0.1:{port}" in p.stderr
    assert "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_without_dask_installed_dask_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    workbooks.build(tmp_path / "in" / "a.xlsx")
    blocker = ("import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None; "
               "from carbon_report.app.cli import main; sys.exit(main(sys.argv[1:]))")
    p = subprocess.run([sys.executable, "-c", blocker, "batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                        "--dask", "local"], capture_output=True, text=True, encoding="utf-8",
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "[E-DASK-MISSING]" in p.stderr
    assert "pip install carbon-report[dask]" in p.stderr


def test_a_worker_that_cannot_read_the_input_suggests_ship_inputs(tmp_path: Path) -> None:
    from carbon_report.app.batch.cluster import Shard, run_shard
    from carbon_report.core.errors import ClusterError

    missing = tmp_path / "only_on_the_client" / "a.xlsx"  # as a worker sees a path of the client's disk
    shard = Shard([0], [str(missing)], str(missing.parent), str(tmp_path / "out"), Options(report=False), 30)
    with pytest.raises(ClusterError) as e:
        run_shard(shard)
    assert e.value.code == "E-DASK-INPUT" and "--ship-inputs" in e.value.message


def _shard_in_a_daemon(result: multiprocessing.Queue, shard: object) -> None:
    from carbon_report.app.batch.cluster import run_shard

    output = run_shard(shard)  # type: ignore[arg-type]
    result.put([(i, r.status, [f.code for f in r.errors]) for i, r in output.records] + [sorted(output.files)])


def test_a_shard_runs_in_a_daemonic_process_and_keeps_its_time_limit(tmp_path: Path) -> None:
    """As on a default Dask worker: multiprocessing may not start children there, the shard's files still run,
    each in a subprocess worker, and a file past its time limit is stopped there, not in the host."""
    from carbon_report.app.batch.cluster import Shard

    d = tmp_path / "in"
    d.mkdir()
    workbooks.build(d / "a.xlsx")
    workbooks.build(d / "b.xlsx", activities=workbooks.SEED_ACTIVITIES * 2000)  # far past a 3-second limit
    shard = Shard([0, 1], [str(d / "a.xlsx"), str(d / "b.xlsx")], str(d), str(tmp_path / "out"),
                  Options(report=False), 3.0)
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_shard_in_a_daemon, args=(q, shard), daemon=True)
    proc.start()
    answer = q.get(timeout=240)
    proc.join(30)
    assert proc.exitcode == 0
    assert answer[:2] == [(0, "ok", []), (1, "unreadable", ["E-BATCH-TIMEOUT"])]  # the host went on
    produced = answer[2]
    assert produced == ["a_计算结果.xlsx"]


def test_ctrl_c_cancels_the_shards_and_leaves_no_half_written_file(cluster: tuple[str, psutil.Process],
                                                                   tmp_path: Path) -> None:
    address, _ = cluster
    d = tmp_path / "in"
    d.mkdir()
    workbooks.build(d / "000.xlsx")
    for i in range(1, 80):
        shutil.copy(d / "000.xlsx", d / f"{i:03d}.xlsx")
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "batch", str(d), "--out", str(out), "--no-report", "--dask", address],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until the first shard has come back
        if line.startswith(b"[1/"):
            break
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    # read the pipes while waiting: a batch still printing its files' lines must not block on a full pipe
    _, err = proc.communicate(timeout=60)
    rc, rest = proc.returncode, err.decode("utf-8")
    assert rc == 130, rest
    assert "Traceback" not in rest
    assert not (out / "汇总.xlsx").exists()
    written = list(out.iterdir())
    assert len(written) < 80
    assert all(zipfile.is_zipfile(p) and not p.name.startswith(".") for p in written), written


def test_a_companys_years_are_linked_on_the_cluster_as_locally(cluster: tuple[str, psutil.Process],
                                                                tmp_path: Path) -> None:
    """Three years of one company and two of another: each year's report gets its own earlier years, on the
    cluster as in the local batch (the shards keep one company's workbooks together)."""
    address, _ = cluster
    d = tmp_path / "历年"
    d.mkdir()
    for year in (2021, 2022, 2023):
        workbooks.build(d / f"云乔_{year}.xlsx", company={**workbooks.SEED_COMPANY, "核算年度": year})
    for year in (2022, 2023):
        workbooks.build(d / f"另一家_{year}.xlsx",
                        company={**workbooks.SEED_COMPANY, "核算年度": year, "统一社会信用代码": USCC_2})
    local = run_cli(d, "--out", tmp_path / "本机", "--json", "--jobs", "2")
    dask = run_cli(d, "--out", tmp_path / "集群", "--json", "--dask", address)
    assert dask.returncode == local.returncode, dask.stderr
    here, there = json.loads(local.stdout), json.loads(dask.stdout)
    years = {Path(f["input"]).name: [h["year"] for h in f["history"] or []] for f in there["files"]}
    assert years == {"云乔_2021.xlsx": [], "云乔_2022.xlsx": [2021], "云乔_2023.xlsx": [2021, 2022],
                     "另一家_2022.xlsx": [], "另一家_2023.xlsx": [2022]}
    assert normalised(there, tmp_path / "集群") == normalised(here, tmp_path / "本机")


@pytest.mark.parametrize("ship", [False, True], ids=["shared-path", "ship-inputs"])
def test_a_file_run_again_alone_keeps_its_earlier_years(tmp_path: Path, ship: bool) -> None:
    """After its shard was lost, a file runs alone: the client sends its company's earlier years with it."""
    from carbon_report.app.batch.cluster import Shard, run_shard
    from carbon_report.app.batch.ship import Cargo

    d = tmp_path / "收集"
    d.mkdir()
    y22 = workbooks.build(d / "云乔_2022.xlsx", company={**workbooks.SEED_COMPANY, "核算年度": 2022})
    y23 = workbooks.build(d / "云乔_2023.xlsx", company={**workbooks.SEED_COMPANY, "核算年度": 2023})
    shard = Shard([1], [str(y23)], str(d), str(tmp_path / "out"), Options(report=False), 60, strikes=1,
                  history={str(y23): [str(y22)]})
    if ship:
        shard.cargo, refused = Cargo.pack([y23, y22], {}, d)
        assert refused == {}
    output = run_shard(shard)
    [(index, record)] = output.records
    assert index == 1 and record.status == "ok", record.lines
    assert [h.year for h in record.history] == [2022]
    assert record.input == str(y23)  # the client's path, also when the bytes were shipped
    assert record.to_json()["input"] == str(y23)


def pcf_folder(d: Path) -> Path:
    """The samples (three products, no PACT file: no CPC code) and the seed workbook with its product's CPC code
    and unit mass, which gets a PACT file."""
    shutil.copytree(HERE.parent / "samples", d)
    product = ["非预应力电杆", 4670, "根", "是", None, 250, None, None, "37550", None]  # 37550: CPC 2.1, concrete
    workbooks.build(d / "带PACT.xlsx", company={**workbooks.SEED_COMPANY, "统一社会信用代码": USCC_2},
                    products=[product])
    return d


def sheet_values(path: Path, sheet: str) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def pact(path: Path) -> dict:
    """A PACT document but for "created", the moment it was written."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc.pop("created")
    return doc


@pytest.mark.parametrize("ship", [False, True], ids=["shared-path", "ship-inputs"])
def test_product_footprint_files_come_back_from_the_cluster(cluster: tuple[str, psutil.Process], tmp_path: Path,
                                                            ship: bool) -> None:
    """`--pcf` writes a footprint report and a PACT file per product: on the cluster they come back as the
    workbook and the report do, so DIR holds what a local `batch --pcf` leaves: the same files, the same
    products[] in the JSON, the same PACT documents and the same 产品碳足迹 sheet."""
    address, _ = cluster
    d = pcf_folder(tmp_path / "收集")
    local = run_cli(d, "--out", tmp_path / "本机", "--json", "--no-report", "--pcf", "--jobs", "2")
    dask = run_cli(d, "--out", tmp_path / "集群", "--json", "--no-report", "--pcf", "--dask", address,
                   *(["--ship-inputs"] if ship else []))
    assert local.returncode == 0, local.stderr
    assert dask.returncode == local.returncode, dask.stderr
    names = listing(tmp_path / "集群")
    assert names == listing(tmp_path / "本机")
    # by hand: two sample companies with 1 and 2 products, and 带PACT's one product: 4 footprint reports; PACT
    # files for the products with a CPC编码 (the demo sample's two, 带PACT's one), none for the seed's 电杆 (根,
    # no 单位质量: no PACT declared unit)
    assert len([n for n in names if n.endswith("_产品碳足迹报告.docx")]) == 4
    assert sorted(n for n in names if n.endswith(".pact.json")) == sorted([
        "带PACT_非预应力电杆.pact.json", "示例_华东精密机械有限公司_2024_数控机床主轴.pact.json",
        "示例_华东精密机械有限公司_2024_精密齿轮箱.pact.json"])
    got = {Path(f["input"]).name: f for f in json.loads(dask.stdout)["files"]}
    want = {Path(f["input"]).name: f for f in json.loads(local.stdout)["files"]}
    assert sorted(got) == sorted(want)
    for name, f in got.items():
        assert f["products"] == want[name]["products"], name
        assert f["products"], name
        for product, path in f["outputs"]["pact"].items():
            mine = want[name]["outputs"]["pact"][product]
            assert (path is None) == (mine is None)
            if path is not None:
                assert Path(path).parent == tmp_path / "集群"
                assert pact(Path(path)) == pact(Path(mine))
        assert sheet_values(Path(f["outputs"]["workbook"]), "产品碳足迹") == \
            sheet_values(Path(want[name]["outputs"]["workbook"]), "产品碳足迹")
    assert normalised(json.loads(dask.stdout), tmp_path / "集群") == normalised(json.loads(local.stdout), tmp_path / "本机")
