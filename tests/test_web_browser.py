"""The page in a real browser (issue 29): Debian's chromium driven through chromium-driver by selenium, no
browser downloaded. A consultant's four moments: a good workbook and its downloads, a bad one and the cell it
names, two years of one company, and the profile filled in and seen on the report's cover. Each state is
saved as a screenshot (CARBON_REPORT_SCREENSHOTS names a folder to keep them; docs/web.md shows them)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
import requests
from docx import Document

import web_server
import workbooks

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian chromium and chromium-driver are not installed"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))  # the server and this test share the profile folder
    server = web_server.start(tmp_path, "--no-pdf")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1500",
                "--lang=zh-CN", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "下载"),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.get(server.url)
    try:
        yield driver, server, tmp_path
    finally:
        driver.quit()
        server.stop()


def _shot(driver, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("CARBON_REPORT_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, min(max(height + 40, 900), 4000))
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path


def _upload(driver, *paths: Path, timeout: float = 900) -> None:
    from selenium.webdriver.common.by import By

    before = len(driver.find_elements(By.CSS_SELECTOR, "#results .job"))
    driver.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in paths))
    deadline = time.monotonic() + timeout
    while True:
        jobs = driver.find_elements(By.CSS_SELECTOR, "#results .job")
        if len(jobs) > before and "全部完成" in jobs[0].text:
            return
        assert time.monotonic() < deadline, driver.find_element(By.ID, "results").text
        time.sleep(0.5)


def test_good_sample_links_then_report_and_workbook_download_and_open(page) -> None:
    from selenium.webdriver.common.by import By

    driver, server, tmp_path = page
    src = tmp_path / "企业A.xlsx"
    shutil.copy(SAMPLE, src)  # the bundled sample, as README's first command uses it
    _upload(driver, src)
    job = driver.find_elements(By.CSS_SELECTOR, "#results .job")[0]
    assert "完成" in job.find_element(By.CSS_SELECTOR, ".badge").text
    links = {a.get_attribute("data-kind"): a for a in job.find_elements(By.CSS_SELECTOR, ".links a")}
    assert set(links) == {"workbook", "report", "zip"}
    assert "计算结果工作簿" in links["workbook"].text and "评价报告" in links["report"].text
    _shot(driver, tmp_path, "web-1-done")
    # the user clicks the report link: the browser saves the file
    links["report"].click()
    target = tmp_path / "下载" / "企业A_评价报告.docx"
    deadline = time.monotonic() + 60
    while not target.is_file():
        assert time.monotonic() < deadline, list((tmp_path / "下载").glob("*")) if (tmp_path / "下载").exists() else []
        time.sleep(0.3)
    time.sleep(0.5)
    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "河南云乔电力通讯设施有限公司" in text and "绿色低碳现代数智企业评价报告" in text
    # the workbook, fetched at the link's address as the browser would
    wb = requests.get(links["workbook"].get_attribute("href"), timeout=60)
    book = openpyxl.load_workbook(io.BytesIO(wb.content), read_only=True)
    assert "排放汇总" in book.sheetnames and "校验结果" in book.sheetnames


def test_bad_workbook_shows_its_code_at_its_cell(page) -> None:
    from selenium.webdriver.common.by import By

    driver, server, tmp_path = page
    bad = workbooks.build(tmp_path / "企业B.xlsx", activities=workbooks.activities_with(1, 4, "吨吨"))
    _upload(driver, bad)
    job = driver.find_elements(By.CSS_SELECTOR, "#results .job")[0]
    assert "有错误" in job.find_element(By.CSS_SELECTOR, ".badge").text
    headers = [th.text for th in job.find_elements(By.CSS_SELECTOR, "table.findings th")]
    assert headers == ["级别", "工作表!单元格", "代码", "说明"]
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in job.find_elements(By.CSS_SELECTOR, "table.findings tbody tr")]
    # the second activity row (水泥) is row 3 of 活动数据; 单位 is column E
    assert rows[0][:3] == ["错误", "活动数据!E3", "E-UNIT-UNKNOWN"]
    assert "吨吨" in rows[0][3]
    assert not job.find_elements(By.CSS_SELECTOR, ".links a[data-kind=report]")  # no report with errors
    _shot(driver, tmp_path, "web-2-errors")


def test_two_years_of_one_company_use_the_history(page) -> None:
    from selenium.webdriver.common.by import By

    driver, server, tmp_path = page
    y2023 = workbooks.build(tmp_path / "企业A_2023.xlsx")
    y2024 = workbooks.build(tmp_path / "企业A_2024.xlsx", company=workbooks.company_with(
        核算年度=2024, 报告编号="WD-HC-202507200001", 报告日期=dt.date(2025, 7, 20)))
    _upload(driver, y2023, y2024)
    files = driver.find_elements(By.CSS_SELECTOR, "#results .job .file")
    later = next(f for f in files if f.get_attribute("data-file") == "企业A_2024.xlsx")
    assert "历年对比采用了" in later.find_element(By.CSS_SELECTOR, ".history").text
    assert "2023 年（企业A_2023.xlsx）" in later.find_element(By.CSS_SELECTOR, ".history").text
    _shot(driver, tmp_path, "web-3-history")


def test_profile_filled_in_the_page_is_on_the_reports_cover(page) -> None:
    from selenium.webdriver.common.by import By

    driver, server, tmp_path = page
    values = {"firm_name": "绿源认证（上海）有限公司", "firm_address": "上海市浦东新区世纪大道 100 号",
              "phone": "021-55550000", "leader": "周组长", "members": "吴一、郑二", "reviewer": "王复核",
              "approver": "冯批准", "report_number_pattern": "LY-{date:%Y}-{seq:03d}"}
    for key, value in values.items():
        field = driver.find_element(By.ID, f"pf-{key}")
        field.clear()
        field.send_keys(value)
    driver.find_element(By.ID, "save-profile").click()
    deadline = time.monotonic() + 30
    while "已保存" not in driver.find_element(By.ID, "profile-msg").text:
        assert time.monotonic() < deadline, driver.find_element(By.ID, "profile-msg").text
        time.sleep(0.3)
    _shot(driver, tmp_path, "web-4-profile")
    company = {k: v for k, v in workbooks.SEED_COMPANY.items() if k not in ("报告编号", "技术服务机构名称")}
    src = workbooks.build(tmp_path / "企业C.xlsx", company=company)
    _upload(driver, src)
    job = driver.find_elements(By.CSS_SELECTOR, "#results .job")[0]
    assert "取自咨询机构配置" in job.text
    href = job.find_element(By.CSS_SELECTOR, ".links a[data-kind=report]").get_attribute("href")
    doc = Document(io.BytesIO(requests.get(href, timeout=60).content))
    cover = "\n".join(p.text for p in doc.paragraphs[:20])
    assert "编制单位：绿源认证（上海）有限公司" in cover
    assert "报告编号：LY-2024-001" in cover  # dated by the workbook's 报告日期 2024-07-20
    table_text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    for v in ("周组长", "吴一、郑二", "王复核", "冯批准", "021-55550000"):
        assert v in table_text
    _shot(driver, tmp_path, "web-5-profile-report")


def test_product_footprints_when_the_box_is_ticked(page) -> None:
    """The page's 产品碳足迹 box is `batch --pcf`: per product its footprint and two downloads. Two products
    share one line, 电力 100 MWh × 0.5 tCO2/MWh = 50 t, by mass: 主轴 100 件 × 50 kg = 5,000 kg and 齿轮箱
    30 台 × 500 kg = 15,000 kg, so 主轴 gets 50 × 5/20 = 12.5 t = 125 kgCO2e/件 and 齿轮箱 37.5 t = 1,250 kgCO2e/台."""
    import json

    from selenium.webdriver.common.by import By

    from test_pcf import FACTORS, _activity

    driver, server, tmp_path = page
    book = workbooks.build(tmp_path / "两产品.xlsx", company=workbooks.company_with(分配方法="质量"),
                           products=[["主轴", 100, "件", "是", None, 50, None, None, "43912", None],
                                     ["齿轮箱", 30, "台", "否", None, 500, None, None, "43912", None]],
                           activities=[_activity("生产", "能源", "电力", 100, "MWh", "T-ELEC", None)],
                           factors=FACTORS, targets=[])
    driver.find_element(By.ID, "pcf").click()
    _upload(driver, book)
    job = driver.find_elements(By.CSS_SELECTOR, "#results .job")[0]
    products = job.find_elements(By.CSS_SELECTOR, ".links.product")
    assert [p.find_element(By.CSS_SELECTOR, ".summary").text for p in products] == [
        "产品“主轴”碳足迹 125 kgCO₂e/件", "产品“齿轮箱”碳足迹 1,250 kgCO₂e/台"]
    _shot(driver, tmp_path, "web-5-pcf")
    for p, name in zip(products, ["主轴", "齿轮箱"], strict=True):
        links = {a.get_attribute("data-kind"): a.get_attribute("href") for a in p.find_elements(By.TAG_NAME, "a")}
        report = requests.get(links["pcf_report"], timeout=60)
        assert report.status_code == 200
        text = "\n".join(x.text for x in Document(io.BytesIO(report.content)).paragraphs)
        assert name in text and "产品碳足迹" in text
        pact = json.loads(requests.get(links["pact"], timeout=60).content)
        assert pact["productNameCompany"] == name
    # without the box ticked, no footprints
    driver.find_element(By.ID, "pcf").click()
    plain = workbooks.build(tmp_path / "种子.xlsx")
    _upload(driver, plain)
    assert not driver.find_elements(By.CSS_SELECTOR, "#results .job")[0].find_elements(By.CSS_SELECTOR, ".links.product")
