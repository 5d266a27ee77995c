"""Importing risk areas and trips: all rows or none, every bad row reported with its reason."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from frontline.conftest import ZHANG_ID, World
from frontline.core.models import AuditEntry
from frontline.travel.imports import risk_area_import, trip_import
from frontline.travel.models import RiskArea, Trip, TripMatch

pytestmark = pytest.mark.django_db
TODAY = dt.date(2022, 11, 20)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def xlsx(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()


AREAS_CSV = """风险区域名单（2022年11月）
名称,区划代码,地区,风险等级,开始日期,结束日期
朝阳区,110105,,高风险,2022-11-10,
浦东某小区,,上海市浦东新区某小区,中,2022/11/12,2022年11月18日
"""


def test_it_imports_areas_with_chinese_headers_under_a_title_row(world: World) -> None:
    result = risk_area_import(
        actor=world.users["officer"], filename="areas.csv", content=AREAS_CSV.encode()
    )
    assert result.ok and result.written == 2
    chaoyang = RiskArea.objects.get(area_code="110105")
    pudong = RiskArea.objects.get(area_code="")
    assert (chaoyang.level, chaoyang.valid_from, chaoyang.valid_to) == (
        "high",
        dt.date(2022, 11, 10),
        None,
    )
    assert (pudong.level, pudong.place_key, pudong.valid_to) == (
        "medium",
        "上海市浦东新区某小区",
        dt.date(2022, 11, 18),
    )
    assert AuditEntry.objects.filter(target_type__model="riskarea").count() == 2


def test_a_file_with_bad_rows_writes_nothing_and_names_each_row_and_reason(world: World) -> None:
    content = xlsx([
        ["Name", "Area code", "Risk level", "From", "To"],
        ["Chaoyang", "110105", "high", "2022-11-10", ""],
        ["", "11010", "extreme", "not a date", ""],
        ["Pudong", "310115", "medium", "2022-11-12", "2022-11-01"],
    ])  # fmt: skip
    with translation.override("en"):
        result = risk_area_import(
            actor=world.users["admin"], filename="areas.xlsx", content=content
        )
    assert not result.ok and result.written == 0
    assert [p.row for p in result.problems] == [3, 4]
    third = " ".join(result.problems[0].reasons)
    assert (
        "Name" in third
        and "six digits" in third
        and "not a risk level" in third
        and "date" in third
    )
    assert "before the start" in " ".join(result.problems[1].reasons)
    assert RiskArea.objects.count() == 0


def test_check_only_validates_without_writing(world: World) -> None:
    result = risk_area_import(
        actor=world.users["admin"], filename="a.csv", content=AREAS_CSV.encode(), check_only=True
    )
    assert result.ok and result.rows == 2 and result.written == 0
    assert RiskArea.objects.count() == 0


def test_a_file_without_the_needed_columns_is_refused_as_a_whole(world: World) -> None:
    with translation.override("en"):
        result = risk_area_import(
            actor=world.users["admin"], filename="a.csv", content=b"foo,bar\n1,2\n"
        )
    assert "No header row" in result.file_error
    with pytest.raises(PermissionDenied):
        risk_area_import(actor=world.users["grid1"], filename="a.csv", content=AREAS_CSV.encode())


def trips_file(*rows: list[object]) -> bytes:
    return xlsx([["身份证号", "姓名", "地点", "区划代码", "到达日期", "离开日期", "备注"], *rows])


def test_trips_are_matched_to_residents_by_document_number_and_screened(world: World) -> None:
    RiskArea.objects.create(name="朝阳区", area_code="110105", code_prefix="110105", province_prefix="11",
                            city_prefix="1101", code_level=6, level="high", valid_from=dt.date(2022, 11, 1))  # fmt: skip
    content = trips_file(
        [ZHANG_ID.lower(), "张三丰", "北京朝阳", "110105", "2022-11-05", "2022-11-08", "出差"],
        ["110105199003070017", "李四", "上海", "", "2022-11-01", "2022-11-02", ""],
    )
    result = trip_import(actor=world.users["admin"], filename="trips.xlsx", content=content)
    assert result.ok and result.written == 2
    zhang_trip = Trip.objects.get(resident=world.zhang)
    assert (zhang_trip.source, zhang_trip.recorded_by, zhang_trip.note) == (
        "import",
        world.users["admin"],
        "出差",
    )
    assert TripMatch.objects.get().trip == zhang_trip
    assert AuditEntry.objects.filter(target_type__model="trip").count() == 2


def test_unmatched_and_out_of_scope_residents_are_reported_and_nothing_is_written(
    world: World,
) -> None:
    content = trips_file(
        [ZHANG_ID, "张三丰", "北京", "", "2022-11-05", "2022-11-08", ""],
        [
            "110105199003070017",
            "李四",
            "上海",
            "",
            "2022-11-01",
            "2022-11-02",
            "",
        ],  # grid 2: not grid1's
        [
            "110105198001010032",
            "王五",
            "上海",
            "",
            "2022-11-01",
            "2022-11-02",
            "",
        ],  # other community
        ["", "无名", "上海", "", "2022-11-01", "2022-11-30", ""],
    )
    with translation.override("en"):
        result = trip_import(actor=world.users["grid1"], filename="trips.xlsx", content=content)
    assert [p.row for p in result.problems] == [3, 4, 5]
    assert "No resident in your area" in result.problems[0].reasons[0]
    assert "No resident in your area" in result.problems[1].reasons[0]
    last = " ".join(result.problems[2].reasons)
    assert "document number" in last and "future" in last
    assert Trip.objects.count() == 0
