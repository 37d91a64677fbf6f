"""Excel import of cadres: validation that reports every bad row, all-or-nothing import, jobs,
progress and the upload pages."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cadre import imports
from cadre.choices import Education, Gender, ImportStatus, Role
from cadre.crypto import id_number_with_check
from cadre.models import Cadre, ImportJob, PostHistory, User
from tests.factories import CadreFactory

HEADER = [column.header for column in imports.COLUMNS]
# parse_and_validate runs a fixed number of queries, whatever the number of rows.
PARSE_QUERY_BOUND = 8


def id_for(birth, seq):
    return id_number_with_check(f"110101{birth:%Y%m%d}{seq % 1000:03d}")


def cadre_row(n, **overrides):
    """One good row, keyed by column name (without the * of required columns)."""
    birth = datetime.date(1970 + n % 15, 1 + n % 12, 1 + n % 28)
    values = {
        "姓名": f"导入干部{n}",
        "性别": "男",
        "出生日期": birth,
        "民族": "汉族",
        "身份证号": id_for(birth, n),
        "入党时间": "2005-07-01",
        "学历": "大学本科",
        "编制类型": "行政编制",
        "单位代码": "CA1",
        "现任职务": "副镇长",
        "职务层次": "乡科级副职",
        "职级": "四级主任科员",
        "任现职时间": "2020/03/01",
        "任现职级时间": "2021.06",
        "参加工作时间": datetime.date(2000, 7, 1),
        "乡镇工作年限": 3.5,
        "曾任乡镇党政正职": "否",
        "标签": "年轻干部，好苗子",
        "联系电话": 13800000000,
    }
    values.update(overrides)
    return values


def xlsx(rows, header=HEADER, trailing_blank_rows=0):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    names = [imports._header_name(h) for h in header]
    for row in rows:
        ws.append([row.get(name) for name in names])
    for _ in range(trailing_blank_rows):
        ws.append([None, "", "  "])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content, name="干部.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=imports.XLSX_CONTENT_TYPE)


def run(user, content):
    job = imports.import_job_create(user=user, filename="干部.xlsx", content=content)
    imports.import_job_run(job.pk)
    job.refresh_from_db()
    return job


def imported():
    return Cadre.objects.filter(name__startswith="导入干部")


def problems(errors):
    return {(e["row"], e["column"]) for e in errors}


# --- validation and import ------------------------------------------------------------------


def test_good_file_imports_every_row_with_its_post_history(tree, org_user):
    job = run(org_user, xlsx([cadre_row(n) for n in range(5)]))

    assert job.status == ImportStatus.SUCCEEDED
    assert (job.created_count, job.total_rows, job.errors) == (5, 5, [])
    assert imported().count() == 5
    cadre = imported().get(name="导入干部1")
    assert cadre.gender == Gender.MALE
    assert cadre.education == Education.BACHELOR
    assert cadre.unit == tree.township_a1
    assert cadre.post_level.name == "乡科级副职"
    assert cadre.rank.name == "四级主任科员"
    assert cadre.party_member_since == datetime.date(2005, 7, 1)
    assert cadre.post_since == datetime.date(2020, 3, 1)
    assert cadre.rank_since == datetime.date(2021, 6, 1)
    assert cadre.work_since == datetime.date(2000, 7, 1)
    assert cadre.township_years == Decimal("3.5")
    assert cadre.served_township_head is False
    assert cadre.phone == "13800000000"
    assert cadre.id_number == cadre_row(1)["身份证号"]
    assert set(cadre.tags.values_list("name", flat=True)) == {"年轻干部", "好苗子"}
    history = PostHistory.objects.get(cadre=cadre)
    assert (history.post, history.unit, history.start_date) == (
        "副镇长",
        tree.township_a1,
        datetime.date(2020, 3, 1),
    )


def test_three_bad_rows_among_good_ones_import_nothing_and_each_is_reported(tree, org_user):
    rows = [cadre_row(n) for n in range(10)]
    rows[2]["性别"] = "男性"  # Excel row 4
    rows[5]["姓名"] = ""  # Excel row 7: two problems
    rows[5]["出生日期"] = "1980-13-01"
    rows[8]["单位代码"] = "NOPE"  # Excel row 10

    job = run(org_user, xlsx(rows))

    assert job.status == ImportStatus.FAILED
    assert job.created_count == 0
    assert not imported().exists()
    assert problems(job.errors) == {(4, "性别"), (7, "姓名"), (7, "出生日期"), (10, "单位代码")}
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "可选：男、女" in messages[4, "性别"]
    assert messages[7, "姓名"] == "必填项不能为空"
    assert "不是存在的日期" in messages[7, "出生日期"]
    assert messages[10, "单位代码"] == "单位代码“NOPE”不存在"


def test_duplicate_id_number_inside_the_file_is_reported_on_the_later_row(tree, org_user):
    rows = [cadre_row(n) for n in range(3)]
    rows[2]["身份证号"] = rows[0]["身份证号"]
    rows[2]["出生日期"] = rows[0]["出生日期"]

    _rows, errors = imports.parse_and_validate(xlsx(rows), org_user)

    assert errors == [{"row": 4, "column": "身份证号", "message": "与第2行的身份证号重复"}]


def test_id_number_already_in_the_database_is_refused(tree, org_user):
    row = cadre_row(1)
    CadreFactory(unit=tree.township_b1, birth_date=row["出生日期"], id_number=row["身份证号"])

    _rows, errors = imports.parse_and_validate(xlsx([cadre_row(0), row]), org_user)

    assert errors == [
        {"row": 3, "column": "身份证号", "message": "该身份证号已登记在系统中的其他干部名下"}
    ]


def test_bad_id_numbers_are_refused(tree, org_user):
    good = cadre_row(0)["身份证号"]
    rows = [
        cadre_row(0, 身份证号=good[:17] + ("0" if good[17] != "0" else "1")),  # check digit
        cadre_row(1, 身份证号=int(cadre_row(1)["身份证号"][:15])),  # typed as a number
        cadre_row(2, 出生日期=datetime.date(1960, 5, 5)),  # not the birth date in the number
    ]

    _rows, errors = imports.parse_and_validate(xlsx(rows), org_user)

    assert problems(errors) == {(2, "身份证号"), (3, "身份证号"), (4, "身份证号")}
    assert "校验位" in errors[0]["message"]
    assert "文本格式" in errors[1]["message"]
    assert "不一致" in errors[2]["message"]


def test_unit_out_of_scope_is_refused(tree, org_user):
    _rows, errors = imports.parse_and_validate(xlsx([cadre_row(0, 单位代码="CB1")]), org_user)

    assert errors == [{"row": 2, "column": "单位代码", "message": "单位不在您的管理范围内"}]


def test_post_level_above_the_jurisdiction_is_refused(tree, org_user):
    rows = [cadre_row(0, 职务层次="县处级正职")]

    _rows, errors = imports.parse_and_validate(xlsx(rows), org_user)

    assert errors == [
        {"row": 2, "column": "职务层次", "message": "职务层次“县处级正职”超出您的干部管理权限"}
    ]


def test_unknown_reference_names_and_model_rules_are_reported(tree, org_user):
    rows = [
        cadre_row(0, 职级="九级科员", 标签="年轻干部、不存在的标签", 曾任乡镇党政正职="也许"),
        cadre_row(1, 参加工作时间=datetime.date(1960, 1, 1), 现任职务="职" * 101),
    ]

    _rows, errors = imports.parse_and_validate(xlsx(rows), org_user)

    assert problems(errors) == {
        (2, "职级"),
        (2, "标签"),
        (2, "曾任乡镇党政正职"),
        (3, "参加工作时间"),
        (3, "现任职务"),
    }
    by_cell = {(e["row"], e["column"]): e["message"] for e in errors}
    assert "不存在的标签" in by_cell[2, "标签"]
    assert by_cell[3, "参加工作时间"] == "参加工作时间不能早于出生日期"


def test_dates_are_read_from_date_cells_and_common_text_forms(tree, org_user):
    rows = [
        cadre_row(0, 任现职时间=datetime.date(2019, 4, 2)),
        cadre_row(1, 任现职时间="2019-04-02"),
        cadre_row(2, 任现职时间="2019/4/2"),
        cadre_row(3, 任现职时间="2019.04"),
        cadre_row(4, 任现职时间=2019.10),  # typed as a number: October
        cadre_row(5, 任现职时间="2019年4月2日"),
    ]

    parsed, errors = imports.parse_and_validate(xlsx(rows), org_user)

    assert errors == []
    assert [row["values"]["post_since"] for row in parsed] == [
        datetime.date(2019, 4, 2),
        datetime.date(2019, 4, 2),
        datetime.date(2019, 4, 2),
        datetime.date(2019, 4, 1),
        datetime.date(2019, 10, 1),
        datetime.date(2019, 4, 2),
    ]


def test_blank_rows_are_ignored_and_row_numbers_stay_those_of_excel(tree, org_user):
    rows = [cadre_row(0), {}, cadre_row(1, 性别="?")]

    parsed, errors = imports.parse_and_validate(xlsx(rows, trailing_blank_rows=5), org_user)

    assert [row["row"] for row in parsed] == [2]
    assert problems(errors) == {(4, "性别")}


def test_wrong_header_gives_one_clear_error(tree, org_user):
    header = ["名字", *HEADER[1:], "备注"]

    _rows, errors = imports.parse_and_validate(
        xlsx([cadre_row(n) for n in range(3)], header=header), org_user
    )

    assert len(errors) == 1
    assert errors[0]["row"] == 1
    assert "缺少必填列：姓名*" in errors[0]["message"]
    assert "无法识别的列：名字、备注" in errors[0]["message"]


def test_file_that_is_not_a_workbook_is_refused(tree, org_user):
    _rows, errors = imports.parse_and_validate(b"not a workbook", org_user)

    assert errors == [
        {"row": None, "column": "", "message": "无法读取文件，请上传 Excel（.xlsx）文件"}
    ]


@pytest.mark.parametrize("count", [10, 200])
def test_validation_runs_a_fixed_number_of_queries(
    tree, org_user, django_assert_max_num_queries, count
):
    content = xlsx([cadre_row(n) for n in range(count)])
    user = User.objects.get(pk=org_user.pk)  # scope not yet computed

    with django_assert_max_num_queries(PARSE_QUERY_BOUND):
        rows, errors = imports.parse_and_validate(content, user)

    assert (len(rows), errors) == (count, [])


def test_apply_rows_keeps_nothing_when_a_row_fails_at_save(tree, org_user):
    """A clash that appears between validation and import (another user registered the same
    person meanwhile) rolls back the rows already created."""
    source = [cadre_row(n) for n in range(4)]
    rows, errors = imports.parse_and_validate(xlsx(source), org_user)
    assert errors == []
    CadreFactory(
        unit=tree.township_b1, birth_date=source[2]["出生日期"], id_number=source[2]["身份证号"]
    )

    created, errors = imports.apply_rows(rows, org_user)

    assert created == 0
    assert errors == [
        {"row": 4, "column": "身份证号", "message": "该身份证号码已登记在其他干部名下"}
    ]
    assert not imported().exists()


def test_apply_rows_reports_progress_every_hundred_rows(tree, org_user):
    rows, _errors = imports.parse_and_validate(xlsx([cadre_row(n) for n in range(150)]), org_user)
    calls = []

    created, errors = imports.apply_rows(rows, org_user, progress=lambda *a: calls.append(a))

    assert (created, errors) == (150, [])
    assert calls == [(100, 150), (150, 150)]


def test_running_a_finished_job_again_does_nothing(tree, org_user):
    job = run(org_user, xlsx([cadre_row(n) for n in range(3)]))

    assert imports.import_job_run(job.pk) == ImportStatus.SUCCEEDED

    assert imported().count() == 3
    job.refresh_from_db()
    assert job.created_count == 3


def test_progress_of_a_running_job_comes_from_the_cache(tree, org_user):
    job = imports.import_job_create(user=org_user, filename="x.xlsx", content=xlsx([cadre_row(0)]))
    imports._set_progress(
        job.pk, status=ImportStatus.RUNNING, phase="importing", processed=150, total=300
    )

    progress = imports.import_job_progress(job)

    assert (progress["status"], progress["percent"], progress["finished"]) == ("running", 50, False)
    assert progress["message"] == "正在导入：已处理 150 / 300 行"


# --- pages ----------------------------------------------------------------------------------


def test_upload_page_flow_shows_the_report_of_every_bad_row(tree, org_client):
    rows = [cadre_row(n) for n in range(4)]
    rows[1]["编制类型"] = "合同工"
    rows[3]["单位代码"] = "CB1"
    assert org_client.get(reverse("cadre:import_start")).status_code == 200

    response = org_client.post(reverse("cadre:import_start"), {"file": upload(xlsx(rows))})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cadre:import_status", args=[job.pk])
    page = org_client.get(response["Location"]).content.decode()
    assert "未导入：发现 2 个问题" in page
    assert "<th>行号</th><th>列</th><th>问题</th>" in page
    assert "“合同工”不是有效的编制类型" in page
    assert "单位不在您的管理范围内" in page
    assert not imported().exists()


def test_small_good_file_is_imported_while_the_user_waits(tree, org_client):
    response = org_client.post(
        reverse("cadre:import_start"), {"file": upload(xlsx([cadre_row(0), cadre_row(1)]))}
    )

    page = org_client.get(response["Location"]).content.decode()
    assert "导入完成：共导入 2 名干部" in page
    assert imported().count() == 2


def test_large_file_is_left_to_celery_after_commit(
    tree, org_client, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_ROWS = 2
    content = xlsx([cadre_row(n) for n in range(3)])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = org_client.post(reverse("cadre:import_start"), {"file": upload(content)})

    job = ImportJob.objects.get()
    assert len(callbacks) == 1
    assert job.status == ImportStatus.PENDING
    assert not imported().exists()
    progress_url = reverse("cadre:import_progress", args=[job.pk])
    assert org_client.get(progress_url).json()["finished"] is False
    page = org_client.get(response["Location"]).content.decode()
    assert progress_url in page  # the page polls for progress

    imports.import_job_run(job.pk)  # what the task does

    assert org_client.get(progress_url).json() | {"message": ""} == {
        "status": "succeeded",
        "status_label": "已导入",
        "processed": 3,
        "total": 3,
        "percent": 100,
        "finished": True,
        "created": 3,
        "error_count": 0,
        "message": "",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("干部.xls", b"old format", "只能上传 .xlsx 格式的 Excel 文件"),
        ("干部.xlsx", b"not a zip", "无法读取文件，请上传 Excel（.xlsx）文件"),
    ],
)
def test_upload_of_a_wrong_file_is_refused_on_the_form(tree, org_client, name, content, message):
    response = org_client.post(reverse("cadre:import_start"), {"file": upload(content, name)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_over_20_mb_is_refused(tree, org_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_FILE_SIZE", 100)

    response = org_client.post(
        reverse("cadre:import_start"), {"file": upload(xlsx([cadre_row(0)]))}
    )

    assert "文件不能超过 20 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_template_downloads_and_its_example_row_imports(tree, org_client):
    response = org_client.get(reverse("cadre:import_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames[:2] == ["干部信息", "说明"]
    assert [cell.value for cell in wb["干部信息"][1]] == HEADER
    help_text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for allowed in ("大学本科", "行政编制", "乡科级正职", "四级主任科员", "年轻干部"):
        assert allowed in help_text
    assert wb["干部信息"].data_validations.dataValidation  # dropdowns

    response = org_client.post(reverse("cadre:import_start"), {"file": upload(content)})

    job = ImportJob.objects.get()
    assert (job.status, job.created_count) == (ImportStatus.SUCCEEDED, 1)
    assert Cadre.objects.get(name="张某某").unit == tree.county_a


def test_discipline_user_may_not_import(tree, client, make_user):
    client.force_login(make_user(Role.DISCIPLINE, unit=tree.county_a))
    job = ImportJob.objects.create(filename="x.xlsx", content=b"", created_by=make_user())

    for url in (
        reverse("cadre:import_start"),
        reverse("cadre:import_template"),
        reverse("cadre:import_status", args=[job.pk]),
        reverse("cadre:import_progress", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403
    response = client.post(reverse("cadre:import_start"), {"file": upload(xlsx([cadre_row(0)]))})
    assert response.status_code == 403
    assert not imported().exists()


def test_job_of_another_user_is_not_found(tree, org_client, make_user):
    other = make_user(Role.ORGANISATION, unit=tree.county_a)
    job = ImportJob.objects.create(filename="x.xlsx", content=b"", created_by=other)

    assert org_client.get(reverse("cadre:import_status", args=[job.pk])).status_code == 404
    assert org_client.get(reverse("cadre:import_progress", args=[job.pk])).status_code == 404


def test_import_pages_require_sign_in(client):
    response = client.get(reverse("cadre:import_start"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
