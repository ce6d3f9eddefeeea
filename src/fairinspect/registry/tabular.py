"""Reading and writing registry tables as CSV and XLSX (台账 formats the bureau uses).

Headers may be the Chinese labels the export writes or the English field names; an export
imports back unchanged (round trip).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from fairinspect.core.errors import ValidationFailed


class TableError(ValidationFailed):
    pass


def _header_map(headers: Sequence[Any], labels: Mapping[str, str]) -> dict[int, str]:
    by_label = {v: k for k, v in labels.items()}
    out: dict[int, str] = {}
    unknown = []
    for i, h in enumerate(headers):
        name = str(h or "").strip().lstrip("\ufeff")
        if not name:
            continue
        field = name if name in labels else by_label.get(name)
        if field is None:
            unknown.append(name)
        else:
            out[i] = field
    if unknown:
        raise TableError(
            "unknown_column",
            f"第1行表头含有无法识别的列：{'、'.join(unknown)}。"
            f"可用的列：{'、'.join(labels.values())}。",
            field="file",
        )
    if not out:
        raise TableError("no_header", "文件第1行应为表头。", field="file")
    return out


def read_rows(
    name: str, data: bytes, labels: Mapping[str, str]
) -> tuple[dict[int, str], Iterator[tuple[int, dict[str, Any]]], int]:
    """(column index → field, iterator of (row number, values), number of data rows)."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(data, labels)
    if lower.endswith(".csv"):
        return _read_csv(data, labels)
    raise TableError("file_type", "只支持 .csv 或 .xlsx 文件。", field="file")


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TableError(
        "encoding", "文件编码无法识别，请保存为 UTF-8 或 GB18030 编码的 CSV。", field="file"
    )


def _read_csv(data: bytes, labels):
    lines = _decode(data).splitlines()
    reader = csv.reader(lines)
    try:
        headers = next(reader)
    except StopIteration:
        raise TableError("empty", "文件为空。", field="file") from None
    cols = _header_map(headers, labels)
    total = sum(1 for line in lines[1:] if line.strip())

    def rows():
        for n, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield n, {cols[i]: v for i, v in enumerate(values) if i in cols}

    return cols, rows(), total


def _read_xlsx(data: bytes, labels):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a broken file
        raise TableError(
            "file_broken", "无法读取该 XLSX 文件，请确认文件未损坏。", field="file"
        ) from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        headers = next(it)
    except StopIteration:
        raise TableError("empty", "文件为空。", field="file") from None
    cols = _header_map(headers, labels)
    total = max((ws.max_row or 1) - 1, 0)

    def rows():
        for n, values in enumerate(it, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield n, {cols[i]: v for i, v in enumerate(values) if i in cols}

    return cols, rows(), total


def _cell(v: Any) -> Any:
    """Neutralise spreadsheet formulas in exported text (CSV/formula injection)."""
    if v is None:
        return ""
    if (isinstance(v, str) and v[:1] in ("=", "@", "\t", "\r")) or (
        isinstance(v, str) and v[:1] in ("+", "-") and not v[1:2].isdigit()
    ):
        return "'" + v
    return v


def write_csv(labels: Mapping[str, str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """CSV text chunks with a BOM so that Excel opens the Chinese correctly."""
    buf = io.StringIO()
    w = csv.writer(buf)
    buf.write("\ufeff")
    w.writerow(labels.values())
    for i, row in enumerate(rows):
        w.writerow([_cell(row.get(k)) for k in labels])
        if i % 500 == 499:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def write_xlsx(labels: Mapping[str, str], rows: Iterable[Mapping[str, Any]], title: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(list(labels.values()))
    for row in rows:
        ws.append([_cell(row.get(k)) for k in labels])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# The formula neutralising of exported cells, for other apps' exports (exchange/).
safe_cell = _cell
