"""Time and peak memory of checking a large peer-to-peer file (2-3), as the preview step does.

Generates a 100,000-row .xlsx (openpyxl write-only) and a .xls (xlwt: at most 65,536 rows a
sheet, and the peer-to-peer reader reads only the first sheet, so the .xls holds a header and
65,535 rows), then times ``payamak_sms_simple.p2p.check_file`` — what ``p2p.prepare`` runs in a
thread before the preview: read the sheet with calamine, then check every row's number, text and
Jalali time. Each row has its own number and text; a third of them carry a future time.

Per file it prints the rows, the file size, the time, the peak of the Python heap during the
check (tracemalloc, a second run: tracing slows the code down) and the process's peak RSS
(``ru_maxrss``) before and after the first run. Target: ≤ 10 s per 100,000-row file.

    .venv/bin/python bench/p2p_validate.py [rows]      # default 100000
"""

from __future__ import annotations

import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
XLS_MAX_ROWS = 65_536  # xlwt's limit per sheet, the header row included


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rows(count: int, when: str) -> list[list[str]]:
    """The header and ``count`` rows: a number, a text of its own, and every third row a time."""
    out = [["شماره موبایل", "متن", "زمان ارسال"]]
    for i in range(count):
        out.append([f"0912{i:07d}", f"سلام مشتری {i}، سفارش شما ارسال شد.", when if i % 3 == 0 else ""])
    return out


def xlsx(data: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("p2p")
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(data: list[list[str]]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("p2p")
    for r, row in enumerate(data):
        for c, value in enumerate(row):
            if value:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def measure(name: str, content: bytes, expected: int) -> None:
    from payamak_sms_simple import p2p

    before = rss_mib()
    started = time.perf_counter()
    checked, errors = p2p.check_file(name, content)
    elapsed = time.perf_counter() - started
    after = rss_mib()
    assert not errors, errors[:5]
    assert len(checked) == expected, (len(checked), expected)
    del checked
    tracemalloc.start()
    p2p.check_file(name, content)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    verdict = "ok" if elapsed <= 10 * max(1, expected / 100_000) else "SLOW"
    print(
        f"{name:<14} rows {expected:>7,}  file {len(content) / 2**20:6.1f} MiB  check {elapsed:6.2f} s ({verdict})  "
        f"tracemalloc peak {peak / 2**20:7.1f} MiB  ru_maxrss {before:7.1f} → {after:7.1f} MiB"
    )


def main() -> None:
    os.environ.setdefault("PAYAMAK_VAR_DIR", tempfile.mkdtemp(prefix="payamak-bench-"))
    import jdatetime

    from payamak.web.formatting import TEHRAN

    when = (jdatetime.datetime.now(TEHRAN) + timedelta(days=2)).strftime("%Y/%m/%d 10:30")
    xls_rows = min(ROWS, XLS_MAX_ROWS - 1)
    print(f"python-calamine reads the first sheet only: the .xls holds {xls_rows:,} rows (xlwt's limit is {XLS_MAX_ROWS:,} a sheet)")
    started = time.perf_counter()
    files = [(f"rows-{ROWS}.xlsx", xlsx(rows(ROWS, when)), ROWS), (f"rows-{xls_rows}.xls", xls(rows(xls_rows, when)), xls_rows)]
    print(f"generated in {time.perf_counter() - started:.1f} s; ru_maxrss {rss_mib():.1f} MiB")
    for name, content, expected in files:
        measure(name, content, expected)


if __name__ == "__main__":
    main()
