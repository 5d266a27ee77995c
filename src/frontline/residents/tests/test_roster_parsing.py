"""Roster parsing: messy real-world files built in the test, read into exact rows and errors.

No database: the roster package only reads and normalises.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import xlsxwriter
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from frontline.residents.roster import (
    MAX_UPLOAD_BYTES,
    CellError,
    Header,
    RosterError,
    RosterRow,
    apply_mapping,
    check_size,
    find_header,
    parse_roster,
    read_cells,
    shape_key,
)
from frontline.residents.roster.normalise import (
    clean_place_part,
    document_text,
    document_type_value,
    parse_date,
    phone_text,
    residence_value,
    sex_value,
    split_address,
    status_value,
    tags_value,
)

MB = 1024 * 1024
LOST_ID = (
    "The ID was stored as a number and lost its last digits; format the column as text and "
    "export again."
)
LOST_PHONE = (
    "The phone number was stored as a number in scientific notation and lost digits; format "
    "the column as text and export again."
)
NO_HEADER = (
    "No header row found: the file needs at least a name column and an ID, phone or address column."
)
NOT_A_DATE = "Enter a date such as 1990-03-07, 1990/3/7 or 1990年3月7日."
KNOWN_TAGS = (
    "Living alone, Chronic disease, Dialysis, Pregnant, Disabled, Bedridden, Infant 3 and under "
    "and Mental-health support"
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Assert the English msgids, whatever the catalogue translates them to."""
    with translation.override("en"):
        yield


# Building files ---------------------------------------------------------------------------------


def cell_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A spreadsheet date-time: cells have no time zone, and calamine gives them naive."""
    return dt.datetime(year, month, day, hour, minute)  # noqa: DTZ001


def workbook(build: Callable[[Any, Any], None]) -> bytes:
    """An .xlsx written by xlsxwriter; `build(book, sheet)` fills the first sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    build(book, book.add_worksheet())
    book.close()
    return buffer.getvalue()


def xlsx(*rows: list[object]) -> bytes:
    def build(book: Any, sheet: Any) -> None:
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)

    return workbook(build)


COVERED = object()  # an ODS cell under a merged one


def ods(*rows: list[object]) -> bytes:
    """An .ods written by odfpy: str, number, date, None (empty), COVERED, or (text, span)."""
    document = OpenDocumentSpreadsheet()
    table = Table(name="花名册")
    for values in rows:
        row = TableRow()
        for value in values:
            row.addElement(ods_cell(value))
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def ods_cell(value: object) -> Any:
    if value is COVERED:
        return CoveredTableCell()
    if value is None:
        return TableCell()
    if isinstance(value, tuple):
        text, span = value
        cell = TableCell(valuetype="string", numbercolumnsspanned=span)
    elif isinstance(value, str):
        text, cell = value, TableCell(valuetype="string")
    elif isinstance(value, dt.date):
        text, cell = value.isoformat(), TableCell(valuetype="date", datevalue=value.isoformat())
    else:
        text, cell = str(value), TableCell(valuetype="float", value=str(value))
    cell.addElement(P(text=text))
    return cell


def rows_of(roster_rows: list[RosterRow]) -> list[tuple[int, dict[str, object], dict[str, str]]]:
    return [(row.line, row.fields, row.errors) for row in roster_rows]


# Reading ----------------------------------------------------------------------------------------


def test_a_workbook_keeps_spreadsheet_positions_and_cell_types():
    def build(book: Any, sheet: Any) -> None:
        sheet.write_string(2, 1, "姓名")
        sheet.write_number(3, 2, 3)
        sheet.write_datetime(
            3, 3, cell_datetime(1990, 3, 7), book.add_format({"num_format": "yyyy-mm-dd"})
        )

    assert read_cells(workbook(build), "花名册.XLSX") == [
        ["", "", "", ""],
        ["", "", "", ""],
        ["", "姓名", "", ""],
        ["", "", 3.0, dt.date(1990, 3, 7)],
    ]


def test_the_first_visible_sheet_is_read():
    def build(book: Any, sheet: Any) -> None:
        sheet.write_string(0, 0, "下拉选项")
        visible = book.add_worksheet("花名册")
        visible.write_string(0, 0, "姓名")
        visible.activate()
        sheet.hide()

    assert read_cells(workbook(build), "roster.xlsm") == [["姓名"]]


def test_csv_in_utf8_with_bom_and_commas():
    data = '\ufeff姓名,手机,备注\n张三,13812345678,"高血压,糖尿病"\n'.encode()
    assert read_cells(data, "r.csv") == [
        ["姓名", "手机", "备注"],
        ["张三", "13812345678", "高血压,糖尿病"],
    ]


def test_csv_in_gbk_with_tabs_under_a_title_line():
    data = "居民花名册\n姓名\t身份证号\t住址\n李四\t11010519491231002X\t3-2-401\n".encode("gbk")
    assert read_cells(data, "r.csv") == [
        ["居民花名册"],
        ["姓名", "身份证号", "住址"],
        ["李四", "11010519491231002X", "3-2-401"],
    ]


def test_csv_with_semicolons_and_excel_unicode_text():
    assert read_cells("姓名;电话\n王五;139\n".encode(), "r.csv") == [
        ["姓名", "电话"],
        ["王五", "139"],
    ]
    utf16 = "姓名\t电话\r\n王五\t139\r\n".encode("utf-16")
    assert read_cells(utf16, "r.csv") == [["姓名", "电话"], ["王五", "139"]]


def test_a_workbook_renamed_to_csv_is_read_as_a_workbook():
    assert read_cells(xlsx(["姓名", "手机"]), "导出.csv") == [["姓名", "手机"]]


def test_an_ods_file_with_a_merged_title():
    data = ods(
        [("幸福里花名册", 3), COVERED, COVERED],
        ["姓名", "身份证号", "出生日期"],
        ["李四", 110105491231002, dt.date(1949, 12, 31)],
    )
    assert read_cells(data, "r.ods") == [
        ["幸福里花名册", "", ""],
        ["姓名", "身份证号", "出生日期"],
        ["李四", 110105491231002.0, dt.date(1949, 12, 31)],
    ]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "r.xlsx"),
        (b"", "r.csv"),
        (b"\xef\xbb\xbf\r\n , \r\n", "r.csv"),
        (xlsx(), "r.xlsx"),
        (xlsx(["", "  "]), "r.xlsx"),
    ],
)
def test_an_empty_file_is_rejected(data, filename):
    with pytest.raises(RosterError) as error:
        read_cells(data, filename)
    assert str(error.value) == "The file is empty."


def test_an_unknown_extension_is_rejected():
    with pytest.raises(RosterError) as error:
        read_cells(b"%PDF-1.7", "花名册.pdf")
    assert str(error.value) == (
        "Files of type “.pdf” cannot be imported. Use .xlsx, .xls, .ods or .csv."
    )


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"this is not a workbook", "r.xlsx"),
        (xlsx(["姓名"])[:300], "r.xlsx"),
        (b"\x00" * 64, "r.xls"),
    ],
)
def test_a_damaged_workbook_is_rejected(data, filename):
    with pytest.raises(RosterError) as error:
        read_cells(data, filename)
    assert str(error.value) == (
        "The file could not be read as a spreadsheet: it may be damaged or of another type. "
        "Open it in Excel or WPS, save it as .xlsx and upload that."
    )


def test_text_in_no_known_encoding_is_rejected():
    with pytest.raises(RosterError) as error:
        read_cells(b"\xff\xfa\x80\x80", "r.csv")
    assert str(error.value) == (
        "The text of the file could not be decoded. Save it as CSV UTF-8 and upload again."
    )


def test_a_file_over_the_limit_is_rejected_before_it_is_read():
    assert MAX_UPLOAD_BYTES == 20 * MB
    with pytest.raises(RosterError) as error:
        read_cells(bytes(MAX_UPLOAD_BYTES + 1), "big.xlsx")
    assert str(error.value) == (
        "The file is 20.0 MB; the limit is 20 MB. Split it into smaller files (for example one "
        "per building) and import them one by one."
    )
    with pytest.raises(RosterError) as error:
        check_size(100 * MB)  # the view can check an upload's size before reading it
    assert str(error.value).startswith("The file is 100.0 MB; the limit is 20 MB.")
    check_size(MAX_UPLOAD_BYTES)


# Headers ----------------------------------------------------------------------------------------


def test_the_header_is_found_under_title_rows_with_decorated_synonyms():
    cells: list[list[object]] = [
        ["幸福里社区居民花名册（2022年4月）", "", "", "", ""],
        ["填报单位：幸福里居委会", "", "", "", ""],
        ["序号", "* 姓名", "公民身份号码（必填）：", "联系电话/手机", "Date of Birth"],
        [1, "张三", "11010519491231002X", "13812345678", "1949-12-31"],
    ]
    assert find_header(cells) == Header(
        row_index=2,
        columns={1: "name", 2: "document_number", 3: "phone", 4: "birth_date"},
        labels=("序号", "* 姓名", "公民身份号码（必填）：", "联系电话/手机", "Date of Birth"),
    )


def test_a_two_row_header_with_merged_cells_maps_every_column():
    def build(book: Any, sheet: Any) -> None:
        sheet.merge_range(0, 0, 0, 6, "幸福里社区居民登记表")
        sheet.merge_range(1, 0, 2, 0, "姓名")
        sheet.merge_range(1, 1, 1, 3, "住址")
        sheet.merge_range(1, 4, 1, 5, "紧急联系人")
        sheet.merge_range(1, 6, 2, 6, "身份证号")
        sheet.write_row(2, 1, ["楼栋", "单元", "房号", "姓名", "电话"])
        sheet.write_row(3, 0, ["张三", 3, 2, 401, "张父", 13900000000, "11010519491231002X"])

    roster = parse_roster(workbook(build), "r.xlsx")
    assert roster.header == Header(
        row_index=2,
        columns={
            0: "name",
            1: "building",
            2: "unit",
            3: "room",
            4: "emergency_contact_name",
            5: "emergency_contact_phone",
            6: "document_number",
        },
        labels=("姓名", "楼栋", "单元", "房号", "紧急联系人姓名", "紧急联系人电话", "身份证号"),
    )
    assert rows_of(roster.rows) == [
        (
            4,
            {
                "name": "张三",
                "building": "3",
                "unit": "2",
                "room": "401",
                "emergency_contact_name": "张父",
                "emergency_contact_phone": "13900000000",
                "document_number": "11010519491231002X",
            },
            {},
        )
    ]


def test_an_unmerged_address_over_parts_maps_the_parts():
    cells: list[list[object]] = [
        ["姓名", "住址", "", "", "手机"],
        ["", "楼号", "单元", "室", ""],
    ]
    header = find_header(cells)
    assert (header.row_index, header.columns) == (
        1,
        {0: "name", 1: "building", 2: "unit", 3: "room", 4: "phone"},
    )


@pytest.mark.parametrize(
    "cells",
    [
        [],
        [["居民花名册"], ["序号", "民族", "文化程度"], ["1", "汉", "大专"]],
        [["姓名", "性别", "备注"], ["张三", "男", ""]],  # a name and nothing to tell people apart
        [["身份证号", "手机"], ["11010519491231002X", "13812345678"]],  # no name
    ],
)
def test_no_recognisable_header_is_a_clear_error(cells):
    with pytest.raises(RosterError) as error:
        find_header(cells)
    assert str(error.value) == NO_HEADER


def test_only_the_first_30_rows_are_searched():
    cells = [["说明"]] * 30 + [["姓名", "手机"]]
    with pytest.raises(RosterError):
        find_header(cells)
    assert find_header(cells[1:]).row_index == 29


def test_the_first_of_two_columns_with_one_meaning_is_mapped():
    header = find_header([["姓名", "手机", "联系电话"]])
    assert header.columns == {0: "name", 1: "phone"}


def test_the_shape_ignores_decoration_and_trailing_empty_columns():
    key = shape_key(["姓名", "身份证号", "手机"])
    assert len(key) == 32
    assert shape_key(["姓名*", " 身份证号（必填）", "手机：", "", None]) == key
    assert shape_key(["姓名", "手机", "身份证号"]) != key
    assert shape_key(["姓名", "身份证号", "手机", "备注"]) != key


def test_a_mapping_correction_moves_unmaps_and_checks_fields():
    header = find_header([["姓名", "联系人", "手机", "备注"]])
    assert header.columns == {0: "name", 2: "phone", 3: "notes"}
    corrected = apply_mapping(header, {1: "phone", 2: "emergency_contact_phone", 3: None})
    assert corrected.columns == {0: "name", 1: "phone", 2: "emergency_contact_phone"}
    assert corrected.labels == header.labels
    with pytest.raises(RosterError) as error:
        apply_mapping(header, {4: "notes"})
    assert str(error.value) == "The mapping names column 5, which the file does not have."
    with pytest.raises(RosterError) as error:
        apply_mapping(header, {1: "password"})
    assert str(error.value) == "Unknown field in the mapping: password."
    with pytest.raises(RosterError) as error:
        apply_mapping(header, {1: "phone", 2: "phone"})
    assert str(error.value) == "Two columns are mapped to “Phone”; choose one."
    with pytest.raises(RosterError) as error:
        apply_mapping(header, {0: None})
    assert str(error.value) == (
        "Map a column to the name and at least one column to the ID, phone or address."
    )


# Normalising cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋2单元401", ("3", "2", "401")),
        ("3-2-401", ("3", "2", "401")),
        ("3号楼2单元401室", ("3", "2", "401")),
        ("3幢2单元401", ("3", "2", "401")),
        ("３－２－４０１", ("3", "2", "401")),
        ("3 栋 2 单元 401 室", ("3", "2", "401")),
        ("3—2—401", ("3", "2", "401")),
        ("3栋401", ("3", "1", "401")),
        ("3-401", ("3", "1", "401")),
        ("3号楼2门401", ("3", "2", "401")),
        ("3#楼2单元401号", ("3", "2", "401")),
        ("A座2单元1201", ("A", "2", "1201")),
        ("b栋1单元101a", ("B", "1", "101A")),
        ("幸福里小区3栋2单元401室", ("3", "2", "401")),
        ("和平路100号3-2-401", ("3", "2", "401")),
        ("3-2-401（东户）", ("3", "2", "401")),
    ],
)
def test_an_address_splits_into_building_unit_and_room(text, expected):
    assert split_address(text) == expected


@pytest.mark.parametrize("text", ["3-2-4-01", "3栋2单元", "401", "幸福里", "2单元401"])
def test_an_address_that_cannot_be_split_says_how_to_write_it(text):
    with pytest.raises(CellError) as error:
        split_address(text)
    assert str(error.value) == (
        f"Could not read building, unit and room from “{text}”; write it as 3-2-401 or "
        "3栋2单元401, or use separate columns."
    )


@pytest.mark.parametrize(
    ("value", "part", "expected"),
    [
        (3.0, "building", "3"),
        (3, "building", "3"),
        ("3号楼", "building", "3"),
        ("第３栋", "building", "3"),
        ("A座", "building", "A"),
        ("综合楼", "building", "综合楼"),
        ("2单元", "unit", "2"),
        (401.0, "room", "401"),
        ("401室", "room", "401"),
        (" 0401 ", "room", "0401"),
    ],
)
def test_a_separate_place_cell_loses_its_suffix(value, part, expected):
    assert clean_place_part(value, part) == expected


def test_a_place_cell_must_be_whole_and_short():
    with pytest.raises(CellError) as error:
        clean_place_part(3.5, "building")
    assert str(error.value) == "Enter a whole number or text, not 3.5."
    with pytest.raises(CellError) as error:
        clean_place_part("1" * 21, "room")
    assert str(error.value) == f"“{'1' * 21}” is too long: at most 20 characters."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(1990, 3, 7), dt.date(1990, 3, 7)),
        (cell_datetime(1990, 3, 7, 8, 30), dt.date(1990, 3, 7)),
        (32939, dt.date(1990, 3, 7)),
        (32939.0, dt.date(1990, 3, 7)),
        (32939.75, dt.date(1990, 3, 7)),
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (2958465, dt.date(9999, 12, 31)),
        (19900307, dt.date(1990, 3, 7)),
        (19900307.0, dt.date(1990, 3, 7)),
        ("1990-03-07", dt.date(1990, 3, 7)),
        ("1990/3/7", dt.date(1990, 3, 7)),
        ("1990.3.7", dt.date(1990, 3, 7)),
        ("19900307", dt.date(1990, 3, 7)),
        ("1990年3月7日", dt.date(1990, 3, 7)),
        ("1990年03月07", dt.date(1990, 3, 7)),
        ("１９９０－０３－０７", dt.date(1990, 3, 7)),
        (" 1990 年 3 月 7 日 ", dt.date(1990, 3, 7)),
        ("1990-03-07 00:00:00", dt.date(1990, 3, 7)),
    ],
)
def test_dates_from_cells_serials_and_text(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3/7/1990", NOT_A_DATE),
        ("1990-3/7", NOT_A_DATE),
        ("90-3-7", NOT_A_DATE),
        ("昨天", NOT_A_DATE),
        (60, NOT_A_DATE),  # Excel's 29 February 1900 never existed
        (0, NOT_A_DATE),
        (-5.0, NOT_A_DATE),
        (2958466, NOT_A_DATE),
        (float("nan"), NOT_A_DATE),
        (True, NOT_A_DATE),
        (dt.time(8, 30), NOT_A_DATE),
        ("1990-02-30", "1990-02-30 is not a real date."),
        ("19901301", "1990-13-01 is not a real date."),
        (19900230, "1990-02-30 is not a real date."),
    ],
)
def test_what_is_not_a_date_is_reported(value, message):
    with pytest.raises(CellError) as error:
        parse_date(value)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("１１０１０５ １９４９１２３１ ００２ｘ", "11010519491231002X"),
        ("110105-19491231-002X", "11010519491231002X"),
        (110105491231002, "110105491231002"),  # a legacy 15-digit ID fits in a number cell
        (110105491231002.0, "110105491231002"),
        ("E12345678", "E12345678"),
    ],
)
def test_document_numbers_as_text(value, expected):
    assert document_text(value) == expected


@pytest.mark.parametrize(
    "value",
    [1.10105194912310e17, 110105194912310021, 1101051949123100.0, "1.10105E+17", "1.1E17", 3.5],
)
def test_an_id_that_lost_digits_in_a_number_cell_is_reported_not_guessed(value):
    with pytest.raises(CellError) as error:
        document_text(value)
    assert str(error.value) == LOST_ID


def test_phones_as_text():
    assert phone_text(13812345678.0) == "13812345678"
    assert phone_text(8613812345678.0) == "8613812345678"
    assert phone_text(13812345678) == "13812345678"
    assert phone_text(" +86 138 1234 5678 ") == "+86 138 1234 5678"
    assert (
        phone_text("１３８１２３４５６７８") == "１３８１２３４５６７８"
    )  # normalise_mobile folds it
    for lost in ("1.38123E+10", "1.38123e10"):
        with pytest.raises(CellError) as error:
            phone_text(lost)
        assert str(error.value) == LOST_PHONE


@pytest.mark.parametrize(
    ("convert", "value", "expected"),
    [
        (sex_value, "男", "M"),
        (sex_value, "女性", "F"),
        (sex_value, "m", "M"),
        (sex_value, "Female", "F"),
        (sex_value, "Ｆ", "F"),
        (residence_value, "户籍", "registered"),
        (residence_value, "本地", "registered"),
        (residence_value, "户籍人口", "registered"),
        (residence_value, "常住", "long_term"),
        (residence_value, "long_term", "long_term"),
        (residence_value, "Long-term resident", "long_term"),
        (residence_value, "租房", "tenant"),
        (residence_value, "流动人口", "floating"),
        (status_value, "在住", "present"),
        (status_value, "外出", "away"),
        (status_value, "迁出", "moved_out"),
        (status_value, "已迁出", "moved_out"),
        (status_value, "死亡", "deceased"),
        (status_value, "已故", "deceased"),
        (status_value, "Moved out", "moved_out"),
        (document_type_value, "身份证", "resident_id"),
        (document_type_value, "居民身份证", "resident_id"),
        (document_type_value, "护照", "passport"),
        (document_type_value, "台胞证", "hmt_permit"),
        (document_type_value, "hmt_permit", "hmt_permit"),
        (document_type_value, "其他证件", "other"),
    ],
)
def test_choices_from_chinese_and_english_words(convert, value, expected):
    assert convert(value) == expected


def test_an_unknown_choice_lists_the_accepted_ones():
    with pytest.raises(CellError) as error:
        sex_value("未知")
    assert str(error.value) == "“未知” is not one of: Male or Female."
    with pytest.raises(CellError) as error:
        residence_value("外星")
    assert str(error.value) == (
        "“外星” is not one of: Registered (hukou), Long-term resident, Tenant or Floating "
        "population."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("独居", ["living_alone"]),
        ("独居、慢性病；透析", ["chronic", "dialysis", "living_alone"]),
        ("孕妇，残疾 卧床;婴幼儿", ["bedridden", "disabled", "infant", "pregnant"]),
        ("心理, mental_health", ["mental_health"]),
        ("Living alone, Chronic disease", ["chronic", "living_alone"]),
        ("65岁以上、独居", ["living_alone"]),  # derived from the birth date: ignored
        ("65岁以上", []),
    ],
)
def test_tags_from_labels_and_values(text, expected):
    assert tags_value(text) == expected


def test_unknown_tags_are_all_listed():
    with pytest.raises(CellError) as error:
        tags_value("独居、吸烟、高血脂")
    assert str(error.value) == f"Unknown tags: 吸烟 and 高血脂. Known tags: {KNOWN_TAGS}."


# Property tests ---------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789-ABC", "０１２３４５６７８９－ＡＢＣ")
ADDRESS_SPELLINGS = [
    "{b}栋{u}单元{r}",
    "{b}-{u}-{r}",
    "{b}号楼{u}单元{r}室",
    "{b}幢{u}单元{r}",
    "{b}号{u}单元{r}号",
    "{b}#楼{u}单元{r}",
    "{b}栋{u}门{r}室",
    "幸福里小区{b}栋{u}单元{r}室",
]
UNITLESS_SPELLINGS = ["{b}栋{r}", "{b}-{r}", "{b}号楼{r}室", "{b}幢{r}号"]
buildings = st.one_of(st.integers(1, 999).map(str), st.sampled_from(["A", "B", "C"]))
units = st.integers(1, 30).map(str)
rooms = st.integers(1, 9999).map(str)


def respell(text: str, data: st.DataObject) -> str:
    """Optionally full-width, with spaces anywhere."""
    if data.draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    spaces = data.draw(st.lists(st.sampled_from(["", "", " ", "\u3000"]), min_size=len(text)))
    return "".join(char + space for char, space in zip(text, spaces, strict=False))


@settings(deadline=None)
@given(buildings, units, rooms, st.sampled_from(ADDRESS_SPELLINGS), st.data())
def test_every_address_spelling_round_trips(building, unit, room, spelling, data):
    text = respell(spelling.format(b=building, u=unit, r=room), data)
    assert split_address(text) == (building, unit, room)


@settings(deadline=None)
@given(buildings, rooms, st.sampled_from(UNITLESS_SPELLINGS), st.data())
def test_an_address_without_a_unit_is_in_unit_1(building, room, spelling, data):
    text = respell(spelling.format(b=building, r=room), data)
    assert split_address(text) == (building, "1", room)


DATE_SPELLINGS: list[Callable[[dt.date], object]] = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日".translate(FULL_WIDTH),
    lambda d: f"{d.isoformat()} 00:00:00",
    lambda d: int(f"{d:%Y%m%d}"),
    lambda d: dt.datetime.combine(d, dt.time(12, 30)),
]


@settings(deadline=None)
@given(
    st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(DATE_SPELLINGS),
)
def test_every_date_spelling_parses_back(date, spelling):
    assert parse_date(spelling(date)) == date


@settings(deadline=None)
@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.floats(min_value=0, max_value=0.99),
)
def test_every_excel_serial_parses_back(date, time_of_day):
    # Excel counts a 29 February 1900 that never was: serials from 1 March 1900 are one higher.
    epoch = dt.date(1899, 12, 30) if date >= dt.date(1900, 3, 1) else dt.date(1899, 12, 31)
    serial = (date - epoch).days
    assert parse_date(serial) == date
    assert parse_date(serial + time_of_day) == date


# Whole files ------------------------------------------------------------------------------------


def messy_roster() -> bytes:
    def build(book: Any, sheet: Any) -> None:
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.merge_range(0, 0, 0, 9, "幸福里社区居民花名册（2022年4月）")
        sheet.write_string(1, 0, "填报单位：幸福里居委会")
        sheet.write_row(
            2,
            0,
            ["序号", "姓名*", "身份证号码（必填）", "联系电话", "住址", "性别", "出生日期",
             "人员类别", "重点人群", "备注"],
        )  # fmt: skip
        sheet.write_row(3, 0, [1, "张三", "１１０１０５ １９４９１２３１ ００２ｘ"])
        sheet.write_number(3, 3, 13812345678)
        sheet.write_row(3, 4, ["3-2-401", "男"])
        sheet.write_datetime(3, 6, cell_datetime(1949, 12, 31), date)
        sheet.write_row(3, 7, ["户籍", "独居、65岁以上", "/"])
        sheet.write_number(4, 0, 2)
        sheet.write_string(4, 1, "李四")
        sheet.write_number(4, 2, 110105491231002)  # a legacy 15-digit ID typed as a number
        sheet.write_row(4, 3, ["139 1234 5678", "3栋2单元402", "女"])
        sheet.write_number(4, 6, 18263)  # a date serial without a date format
        sheet.write_row(4, 7, ["租户", "", "无"])
        sheet.write_number(5, 0, 3)  # a pre-numbered template row with nothing in it
        sheet.write_number(6, 0, 4)
        sheet.write_string(6, 1, "王五")
        sheet.write_number(6, 2, 110105194912310021)  # stored as 1.10105194912310E+17
        sheet.write_row(
            6, 3, ["1.38123E+10", "幸福里", "未知", "1990-02-30", "外星", "吸烟", "说明"]
        )
        sheet.write_row(8, 1, ["赵六", "440305199207040052", None, "3号楼1单元101室", "-"])
        sheet.write_row(8, 6, ["1992年7月4日", "流动人口", "透析 慢性病"])

    return workbook(build)


def test_a_messy_workbook_parses_into_exact_rows_and_every_error():
    roster = parse_roster(messy_roster(), "花名册.xlsx")
    assert roster.header.row_index == 2
    assert roster.shape == shape_key(roster.header.labels)
    assert rows_of(roster.rows) == [
        (
            4,
            {
                "name": "张三",
                "document_number": "11010519491231002X",
                "phone": "13812345678",
                "sex": "M",
                "birth_date": dt.date(1949, 12, 31),
                "residence_type": "registered",
                "tags": ["living_alone"],
                "building": "3",
                "unit": "2",
                "room": "401",
            },
            {},
        ),
        (
            5,
            {
                "name": "李四",
                "document_number": "110105491231002",
                "phone": "139 1234 5678",
                "sex": "F",
                "birth_date": dt.date(1949, 12, 31),
                "residence_type": "tenant",
                "building": "3",
                "unit": "2",
                "room": "402",
            },
            {},
        ),
        (
            7,
            {"name": "王五", "notes": "说明"},
            {
                "document_number": LOST_ID,
                "phone": LOST_PHONE,
                "sex": "“未知” is not one of: Male or Female.",
                "birth_date": "1990-02-30 is not a real date.",
                "residence_type": (
                    "“外星” is not one of: Registered (hukou), Long-term resident, Tenant or "
                    "Floating population."
                ),
                "tags": f"Unknown tags: 吸烟. Known tags: {KNOWN_TAGS}.",
                "address": (
                    "Could not read building, unit and room from “幸福里”; write it as 3-2-401 "
                    "or 3栋2单元401, or use separate columns."
                ),
            },
        ),
        (
            9,
            {
                "name": "赵六",
                "document_number": "440305199207040052",
                "birth_date": dt.date(1992, 7, 4),
                "residence_type": "floating",
                "tags": ["chronic", "dialysis"],
                "building": "3",
                "unit": "1",
                "room": "101",
            },
            {},
        ),
    ]


def test_a_repeated_cell_is_read_once_but_every_row_gets_its_value_or_error():
    roster = parse_roster(
        xlsx(
            ["姓名", "楼栋", "单元", "房号", "性别"],
            ["甲", "3号楼", "1", "101", "未知"],
            ["乙", 3, 1, "101室", "未知"],
            ["丙", "3", "1单元", 101, "男"],
            ["丁", "3", True, "101", "男"],
        ),
        "a.xlsx",
    )
    unknown = {"sex": "“未知” is not one of: Male or Female."}
    place = {"building": "3", "unit": "1", "room": "101"}
    assert rows_of(roster.rows) == [
        (2, {"name": "甲", **place}, unknown),
        (3, {"name": "乙", **place}, unknown),
        (4, {"name": "丙", **place, "sex": "M"}, {}),
        # A TRUE cell is not the number 1 that an earlier row held in its column.
        (5, {"name": "丁", **place, "unit": "TRUE", "sex": "M"}, {}),
    ]


def test_the_same_header_under_another_title_has_the_same_shape():
    first = parse_roster(xlsx(["四月花名册"], ["姓名", "手机"], ["张三", "13812345678"]), "a.xlsx")
    second = parse_roster(xlsx(["姓名*", "手机："], ["李四", "13912345678"]), "b.xlsx")
    assert first.shape == second.shape
    assert (first.header.row_index, second.header.row_index) == (1, 0)


def test_a_merged_title_over_an_unlabelled_column_leaves_the_shape_alone():
    def titled(title: str) -> bytes:
        def build(book: Any, sheet: Any) -> None:
            sheet.merge_range(0, 0, 0, 2, title)
            sheet.write_row(1, 0, ["姓名", "", "手机"])
            sheet.write_row(2, 0, ["张三", "甲", "13812345678"])

        return workbook(build)

    april, may = (
        parse_roster(titled("四月花名册"), "a.xlsx"),
        parse_roster(titled("五月花名册"), "b.xlsx"),
    )
    assert april.header.labels == may.header.labels == ("姓名", "", "手机")
    assert april.shape == may.shape == shape_key(["姓名", "", "手机"])


def test_separate_place_columns_win_over_the_address():
    data = (
        "姓名,手机,楼栋,单元,房号,地址\n"
        "甲,13800000001,5,,,3-2-401\n"
        "乙,13800000002,3号楼,,2-401,\n"
        "丙,13800000003,3,,101,\n"
        "丁,13800000004,3,2,401,不详\n"
        "戊,13800000005,3,,,不详\n"
        "己,13800000006,,,2单元401室,\n"
    ).encode()
    places = [
        ({k: v for k, v in row.fields.items() if k in ("building", "unit", "room")}, row.errors)
        for row in parse_roster(data, "r.csv").rows
    ]
    assert places == [
        ({"building": "5", "unit": "2", "room": "401"}, {}),
        ({"building": "3", "unit": "2", "room": "401"}, {}),  # the room cell held the unit
        ({"building": "3", "unit": "1", "room": "101"}, {}),  # a building without units
        ({"building": "3", "unit": "2", "room": "401"}, {}),  # the address is not needed
        (
            {"building": "3"},
            {
                "address": "Could not read building, unit and room from “不详”; write it as "
                "3-2-401 or 3栋2单元401, or use separate columns."
            },
        ),
        ({"unit": "2", "room": "401"}, {}),
    ]


def test_a_household_address_merged_over_its_members_reaches_each_member():
    def build(book: Any, sheet: Any) -> None:
        sheet.write_row(0, 0, ["姓名", "手机", "住址", "备注"])
        sheet.write_row(1, 0, ["张三", "13812345678"])
        sheet.write_row(2, 0, ["张小三", "13912345678"])
        sheet.merge_range(1, 2, 2, 2, "3-2-401")
        sheet.merge_range(1, 3, 2, 3, "")  # an empty merged note stays empty

    assert rows_of(parse_roster(workbook(build), "r.xlsx").rows) == [
        (
            2,
            {"name": "张三", "phone": "13812345678", "building": "3", "unit": "2", "room": "401"},
            {},
        ),
        (
            3,
            {"name": "张小三", "phone": "13912345678", "building": "3", "unit": "2", "room": "401"},
            {},
        ),
    ]


def test_a_two_row_header_in_ods_with_covered_cells():
    data = ods(
        ["姓名", ("住址", 3), COVERED, COVERED, "手机"],
        [None, "楼栋", "单元", "房号", None],
        ["张三", 3, 2, 401, 13812345678],
    )
    roster = parse_roster(data, "r.ods")
    assert roster.header.columns == {0: "name", 1: "building", 2: "unit", 3: "room", 4: "phone"}
    assert rows_of(roster.rows) == [
        (
            3,
            {"name": "张三", "building": "3", "unit": "2", "room": "401", "phone": "13812345678"},
            {},
        )
    ]


def test_a_gbk_csv_with_tabs_parses():
    data = (
        "姓名\t身份证号\t手机\t楼号\t单元\t房号\t状态\n"
        "张三\t11010519491231002x\t13812345678\t3\t2\t401\t外出\n"
        "\t\t\t\t\t\t\n"
        "姓名\t身份证号\t手机\t楼号\t单元\t房号\t状态\n"  # the header again, on a new page
        "李四\t110105491231002\t\t3\t2\t402\t在住\n"
    ).encode("gbk")
    assert rows_of(parse_roster(data, "导出.csv").rows) == [
        (
            2,
            {
                "name": "张三",
                "document_number": "11010519491231002X",
                "phone": "13812345678",
                "building": "3",
                "unit": "2",
                "room": "401",
                "status": "away",
            },
            {},
        ),
        (
            5,
            {
                "name": "李四",
                "document_number": "110105491231002",
                "building": "3",
                "unit": "2",
                "room": "402",
                "status": "present",
            },
            {},
        ),
    ]


def test_an_ods_roster_parses():
    data = ods(
        [("幸福里花名册", 4), COVERED, COVERED, COVERED],
        ["姓名", "身份证号", "出生日期", "门牌"],
        ["李四", 110105491231002, dt.date(1949, 12, 31), "3-2-402"],
        ["王五", 1.1010519491231002e17, 32939, "3-2-403"],
    )
    assert rows_of(parse_roster(data, "r.ods").rows) == [
        (
            3,
            {
                "name": "李四",
                "document_number": "110105491231002",
                "birth_date": dt.date(1949, 12, 31),
                "building": "3",
                "unit": "2",
                "room": "402",
            },
            {},
        ),
        (
            4,
            {
                "name": "王五",
                "birth_date": dt.date(1990, 3, 7),
                "building": "3",
                "unit": "2",
                "room": "403",
            },
            {"document_number": LOST_ID},
        ),
    ]


def test_a_corrected_mapping_is_applied_to_the_rows():
    data = xlsx(["姓名", "联系人", "手机", "备注"], ["张三", "13812345678", "张父", "门口有狗"])
    default = parse_roster(data, "r.xlsx")
    assert default.rows[0].errors == {}
    assert default.rows[0].fields == {"name": "张三", "phone": "张父", "notes": "门口有狗"}
    corrected = parse_roster(
        data, "r.xlsx", overrides={1: "phone", 2: "emergency_contact_name", 3: None}
    )
    assert corrected.shape == default.shape
    assert corrected.rows[0].fields == {
        "name": "张三",
        "phone": "13812345678",
        "emergency_contact_name": "张父",
    }


def test_a_file_without_a_header_fails_as_a_whole():
    with pytest.raises(RosterError) as error:
        parse_roster(xlsx(["第一季度工作总结"], ["本季度共走访", 312, "户"]), "r.xlsx")
    assert str(error.value) == NO_HEADER


def test_the_same_file_is_read_once_while_it_is_kept(monkeypatch):
    from frontline.residents.roster import reading

    content = "姓名,手机\n张三,13800000000\n李四,13900000000\n".encode()
    calls: list[bytes] = []
    real = reading.read_delimited

    def counted(data: bytes) -> reading.Cells:
        calls.append(data)
        return real(data)

    monkeypatch.setattr(reading, "read_delimited", counted)
    reading.forget_last_read()
    whole = reading.read_cells(content, "a.csv")
    assert reading.read_cells(content, "b.csv") is whole  # the same bytes, whatever the name
    assert reading.read_cells(content, "a.csv") is whole and len(calls) == 1
    other = content + "王五,13700000000\n".encode()
    assert len(reading.read_cells(other, "a.csv")) == 4 and len(calls) == 2
    monkeypatch.setattr(reading, "KEEP_SECONDS", -1.0)  # kept too long: read again
    reading.read_cells(other, "a.csv")
    assert len(calls) == 3
