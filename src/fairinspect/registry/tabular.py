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


# A cell starting with one of these is a formula to a spreadsheet (CSV/formula injection):
# exports prefix it with an apostrophe, and imports take that apostrophe off again.
FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")


def cell_text(v: Any) -> str:
    """A cell as text: integers without ".0", stripped, our export's apostrophe removed."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return _unquoted(str(v).strip())


def _header_key(h: Any) -> str:
    return "".join(str(h or "").split()).lstrip("\ufeff")


def _header_map(
    headers: Sequence[Any],
    labels: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
    ignore_unknown: bool = False,
) -> dict[int, str]:
    """Column index → field. `aliases` (a source's saved mapping) names more headers;
    with `ignore_unknown` the columns it does not name are skipped (an export carries many)."""
    by_label = {_header_key(v): k for k, v in labels.items()}
    by_label |= {_header_key(h): f for h, f in (aliases or {}).items() if f}
    out: dict[int, str] = {}
    unknown = []
    for i, h in enumerate(headers):
        name = _header_key(h)
        if not name:
            continue
        field = name if name in labels else by_label.get(name)
        if field is None:
            unknown.append(name)
        elif field not in out.values():
            out[i] = field
    if unknown and not ignore_unknown:
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
    name: str,
    data: bytes,
    labels: Mapping[str, str],
    *,
    aliases: Mapping[str, str] | None = None,
    ignore_unknown: bool = False,
) -> tuple[dict[int, str], Iterator[tuple[int, dict[str, Any]]], int]:
    """(column index → field, iterator of (row number, values), number of data rows)."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(data, labels, aliases, ignore_unknown)
    if lower.endswith(".csv"):
        return _read_csv(data, labels, aliases, ignore_unknown)
    raise TableError("file_type", "只支持 .csv 或 .xlsx 文件。", field="file")


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TableError(
        "encoding", "文件编码无法识别，请保存为 UTF-8 或 GB18030 编码的 CSV。", field="file"
    )


def _read_csv(data: bytes, labels, aliases, ignore_unknown):
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise TableError("empty", "文件为空。", field="file") from None
    cols = _header_map(headers, labels, aliases, ignore_unknown)
    # An estimate for the progress bar (a quoted cell may hold a line break); the import
    # counts the rows it reads and reports that number.
    total = max(sum(1 for line in text.splitlines()[1:] if line.strip()), 0)

    def rows():
        for values in reader:
            stripped = [v.strip() for v in values]
            if not any(stripped):
                continue
            # cell_text of a CSV cell (always a str): stripped, the export's apostrophe off.
            yield (
                reader.line_num,
                {
                    field: s if (s := stripped[i])[:1] != "'" else _unquoted(s)
                    for i, field in columns
                    if i < len(stripped)
                },
            )

    columns = sorted(cols.items())
    return cols, rows(), total


def _unquoted(s: str) -> str:
    """Our export's apostrophe before a formula character (tabular.safe_cell) taken off."""
    return s[1:] if s[:1] == "'" and s[1:2] in FORMULA_START else s


def _read_xlsx(data: bytes, labels, aliases, ignore_unknown):
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
    cols = _header_map(headers, labels, aliases, ignore_unknown)
    # A workbook written in write-only mode (this system's own export, many tools) carries
    # no dimension, so max_row says nothing: count the rows then.
    total = (ws.max_row or 0) - 1
    if total <= 0:
        total = sum(1 for values in ws.iter_rows(min_row=2, values_only=True) if any(values))
        it = ws.iter_rows(values_only=True)
        next(it)

    def rows():
        for n, values in enumerate(it, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield (
                n,
                {
                    cols[i]: (cell_text(v) if isinstance(v, str) else v)
                    for i, v in enumerate(values)
                    if i in cols
                },
            )

    return cols, rows(), total


def safe_cell(v: Any) -> Any:
    """A value no spreadsheet reads as a formula: text starting with = + - @ (half- or
    full-width), a tab or a line break gets an apostrophe in front. Numbers and dates are
    values, not text, and stay as they are. Every CSV and XLSX export goes through this."""
    if v is None:
        return ""
    if isinstance(v, str) and v[:1] in FORMULA_START:
        return "'" + v
    return v


_cell = safe_cell


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
