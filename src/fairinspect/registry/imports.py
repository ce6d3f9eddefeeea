"""The import pipeline (issue 15 items 3–5, issue 8 item 9): one job, one runner; validate
outside the write; write in one short transaction; a lease that a dead runner lets expire.

1. `start_import` stores the upload (and, with `enqueue`, hands it to the worker).
2. A runner — the worker's task or the command line — *claims* the job with a conditional
   UPDATE (`status = pending` → `validating`, naming itself): exactly one claim succeeds, on
   SQLite and on PostgreSQL, so a job is never processed twice.
3. Validation reads the file in chunks, cleans each row, compares it with the enterprise on
   record and keeps only what changes (new rows, changed rows); unchanged rows are counted.
   No write lock is held, so check-ins and logins go on.
4. Writing runs in one transaction that only inserts the new rows, updates the changed ones
   from a staging table (`UPDATE … FROM`, one statement) and flags enterprises missing from
   their source: short, so other writers wait a moment instead of failing.
5. While it works the runner renews `heartbeat_at`; a job whose lease ran out (its runner
   died) is marked failed by `reap_stale_imports`, and a failed job can be run again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import timedelta
from itertools import islice
from operator import itemgetter
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field, Q
from django.utils import timezone

from fairinspect.audit import trail
from fairinspect.core.errors import Conflict, ValidationFailed
from fairinspect.rules.credit_code import normalise as normalise_code
from fairinspect.rules.credit_code import normalise_with_notes
from fairinspect.rules.search import key_grams, search_key

from . import cleaning, queries, tabular
from .cleaning import CREATE_FIELDS, UPDATE_COLUMNS, WRITTEN
from .inputs import (
    ENTERPRISE_LABELS,
    OFFICER_LABELS,
    FieldError,
    clean_enterprise,
    describe_identifier,
)
from .models import Enterprise, ImportJob, ImportMapping

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
RUNNING = (ImportJob.Status.VALIDATING, ImportJob.Status.WRITING)
CHUNK = 1000
# Seconds of the last import's write transaction (while it holds row locks) and of the
# search index's merge after it, in this process: what bench/registry_reimport.py reports.
TIMINGS: dict[str, float] = {}


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "IMPORT_LEASE_SECONDS", 300))


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def labels_for(kind: str) -> dict[str, str]:
    return ENTERPRISE_LABELS if kind == "enterprises" else OFFICER_LABELS


def read_job_rows(job: ImportJob, data: bytes):
    mapping = job.mapping
    return tabular.read_rows(
        job.file_name,
        data,
        labels_for(job.kind),
        aliases=mapping.columns if mapping else None,
        ignore_unknown=mapping is not None,
    )


def start_import(
    *,
    actor,
    kind: str,
    file_name: str,
    data: bytes,
    mapping: ImportMapping | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """Store the upload; with `enqueue` the worker runs it, else the caller claims it
    (run_import_job). Refuses an unreadable file or an unknown column at once."""
    if kind not in ImportJob.Kind.values:
        raise ValidationFailed("invalid_choice", "导入类型应为企业或执法人员。", field="kind")
    if not data:
        raise ValidationFailed("empty", "请选择要导入的文件。", field="file")
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ValidationFailed(
            "file_too_large",
            f"文件过大（上限 {settings.IMPORT_MAX_BYTES // 1024 // 1024} MB）。",
            field="file",
        )
    if mapping is not None and kind != "enterprises":
        raise ValidationFailed("mapping_kind", "列对应只用于企业导入。", field="mapping")
    job = ImportJob(kind=kind, file_name=file_name[:200], data=data, created_by=actor)
    job.mapping = mapping
    _, _, total = read_job_rows(job, data)  # header and type errors now
    job.total_rows = total
    if connection.vendor == "postgresql":
        job.data = b""
        job.save()
        _store_file(job, data)
    else:
        job.save()
    if enqueue:
        from .tasks import run_import

        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def _store_file(job: ImportJob, data: bytes) -> None:
    """PostgreSQL: the upload as one binary parameter (Django's client-side binding would
    spell a 180 MB file out as a hex literal twice its size for the server to parse)."""
    import psycopg

    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(
            f"UPDATE {ImportJob._meta.db_table} SET data = %b WHERE id = %s", [data, job.pk]
        )
    job.data = data


def stored_file(job_id: int) -> bytes:
    """The upload of a job, read in binary on PostgreSQL (not as hex text)."""
    if connection.vendor != "postgresql":
        return bytes(ImportJob.objects.values_list("data", flat=True).get(pk=job_id))
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(
            f"SELECT data FROM {ImportJob._meta.db_table} WHERE id = %s", [job_id], binary=True
        )
        (data,) = cur.fetchone() or (b"",)
    return bytes(data)


def queue_import(*, actor, job: ImportJob) -> None:
    """Hand a pending job (a previewed upload) to the worker."""
    if job.status != ImportJob.Status.PENDING:
        raise Conflict("not_pending", "该导入已开始或已结束。", field="status")
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))


def claim_import(job_id: int, runner: str) -> bool:
    """Take the job for this runner: true for exactly one runner of a pending job."""
    n = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.VALIDATING,
        runner=runner[:100],
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return n == 1


def reap_stale_imports(now=None) -> int:
    """Fail every running job whose runner stopped renewing its lease (it died): nothing
    stays in `validating` or `writing`. The stored file is kept, so it can be run again."""
    now = now or timezone.now()
    cutoff = now - lease()
    stale = ImportJob.objects.filter(status__in=RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    n = 0
    for job in stale.only("pk", "status", "runner"):
        n += ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportJob.Status.FAILED,
            finished_at=now,
            errors=[
                {
                    "row": 0,
                    "field": "",
                    "column": "",
                    "code": "runner_died",
                    "value": "",
                    "message": f"导入进程（{job.runner or '未知'}）在“{job.get_status_display()}”阶段中断，"
                    "未写入任何数据；可重新运行。",
                }
            ],
        )
    return n


def rerun_import(*, actor, job: ImportJob) -> ImportJob:
    """Queue a failed job again (its file is still stored)."""
    n = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
        status=ImportJob.Status.PENDING,
        runner="",
        heartbeat_at=None,
        finished_at=None,
        errors=[],
        processed_rows=0,
    )
    if n != 1:
        raise Conflict("not_failed", "只有中断的导入可以重新运行。", field="status")
    trail.record(
        actor=actor, action="rerun_import", obj=job, summary=f"重新运行导入 {job.file_name}"
    )
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    job.refresh_from_db()
    return job


class LeaseLost(Exception):
    """The job is no longer this runner's (reaped as dead): stop without writing."""


class _Run:
    def __init__(self, job: ImportJob, runner: str, progress: Progress | None):
        self.job, self.runner, self.progress = job, runner, progress

    def beat(self, done: int, phase: str, *, force: bool = False) -> None:
        if self.progress:
            self.progress(done, self.job.total_rows, phase)
        if force or done % 2000 == 0:
            n = ImportJob.objects.filter(
                pk=self.job.pk, runner=self.runner, status__in=RUNNING
            ).update(processed_rows=done, heartbeat_at=timezone.now())
            if n != 1:
                raise LeaseLost()


def run_import_job(job_id: int, progress: Progress | None = None, runner: str = "") -> ImportJob:
    """Claim the job and run it; a job claimed by another runner (or finished) is left
    alone. Any failure ends the job as failed (nothing written), never stuck."""
    reap_stale_imports()
    runner = runner or runner_name()
    if not claim_import(job_id, runner):
        return ImportJob.objects.defer("data").get(pk=job_id)
    job = ImportJob.objects.select_related("mapping", "created_by").defer("data").get(pk=job_id)
    run = _Run(job, runner, progress)
    try:
        _execute(job, run)
    except LeaseLost:
        log.warning("import %s: lease lost, stopped without writing", job_id)
    except Exception as exc:
        log.exception("import %s failed", job_id)
        ImportJob.objects.filter(pk=job.pk, runner=runner, status__in=RUNNING).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            errors=[
                {
                    "row": 0,
                    "field": "",
                    "column": "",
                    "code": "failed",
                    "value": "",
                    "message": f"导入中断，未写入任何数据：{type(exc).__name__}: {str(exc)[:300]}。可重新运行。",
                }
            ],
        )
    return ImportJob.objects.defer("data").get(pk=job_id)


def _execute(job: ImportJob, run: _Run) -> None:
    from .officer_import import OfficerImporter

    data = stored_file(job.pk)
    labels = labels_for(job.kind)
    importer = EnterpriseImporter(job) if job.kind == "enterprises" else OfficerImporter()
    _, rows, _ = read_job_rows(job, data)
    if isinstance(importer, EnterpriseImporter):
        result = importer.validate(rows, labels, run, job.total_rows)
    else:
        result = importer.validate(rows, labels, run)
    job.total_rows = result.total
    if result.errors:
        ImportJob.objects.filter(pk=job.pk, runner=run.runner).update(
            status=ImportJob.Status.REJECTED,
            errors=result.errors[:1000],
            notes=result.notes[:1000],
            finished_at=timezone.now(),
            total_rows=result.total,
            processed_rows=result.total,
        )
        return
    n = ImportJob.objects.filter(
        pk=job.pk, runner=run.runner, status=ImportJob.Status.VALIDATING
    ).update(
        status=ImportJob.Status.WRITING,
        processed_rows=result.total,
        total_rows=result.total,
        heartbeat_at=timezone.now(),
    )
    if n != 1:
        raise LeaseLost()
    if run.progress:
        run.progress(result.total, result.total, "writing")
    # Stage the rows to write in temporary tables first, outside the write transaction (on
    # SQLite a temporary table does not lock the database), so that the transaction itself
    # only moves them over in a few statements.
    started = time.perf_counter()
    importer.stage(result)
    TIMINGS["stage"] = time.perf_counter() - started
    run.beat(result.total, "writing", force=True)
    try:
        with _no_checkpoint_inside():
            counts = _write(job, run, importer, result)
    finally:
        drop_stages()  # after the COMMIT (or the ROLLBACK): not in the transaction
    started = time.perf_counter()
    clean_search_index(analyze=counts["created"] + counts["updated"] >= 1000)
    TIMINGS["index_merge"] = time.perf_counter() - started
    log.info(
        "import %s: write transaction %.2f s (%.2f s of CPU in this thread)",
        job.pk,
        TIMINGS["write_transaction"],
        TIMINGS["write_cpu"],
    )


@contextmanager
def _no_checkpoint_inside() -> Iterator[None]:
    """SQLite: no automatic WAL checkpoint as the write commits (it copies every page the
    import wrote into the database file before COMMIT returns, though other writers may
    go on meanwhile); the checkpoint runs after, passive, as the next one would have."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_autocheckpoint")
        (before,) = cur.fetchone()
        cur.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
            if connection.get_autocommit():
                started = time.perf_counter()
                cur.execute("PRAGMA wal_checkpoint(PASSIVE)")
                TIMINGS["checkpoint"] = time.perf_counter() - started


def _write(job: ImportJob, run: _Run, importer, result: Validated) -> dict[str, int]:
    """The one write transaction: timed (wall clock, and the CPU of this thread, which on
    SQLite is the database's work too) for the benchmark and the log."""
    started, cpu = time.perf_counter(), time.thread_time()
    TIMINGS["write_started_at"] = time.time()
    with transaction.atomic():
        counts = importer.write(result)
        trail.record(
            actor=job.created_by,
            action="import",
            obj=job,
            summary=f"导入{job.get_kind_display()} {job.file_name}：共{result.total}行，"
            f"新增{counts['created']}，更新{counts['updated']}，未变{counts['unchanged']}"
            + (f"，来源中消失{counts['missing']}" if counts.get("missing") else ""),
            data={**counts, "rows": result.total},
        )
        # The last statement of the write: if the job was reaped meanwhile, undo it all.
        n = ImportJob.objects.filter(
            pk=job.pk, runner=run.runner, status=ImportJob.Status.WRITING
        ).update(
            status=ImportJob.Status.DONE,
            created_count=counts["created"],
            updated_count=counts["updated"],
            unchanged_count=counts["unchanged"],
            missing_count=counts.get("missing", 0),
            notes=result.notes[:1000],
            finished_at=timezone.now(),
            data=b"",
        )
        if n != 1:
            raise LeaseLost()
    TIMINGS["write_transaction"] = time.perf_counter() - started
    TIMINGS["write_cpu"] = time.thread_time() - cpu
    return counts


def clean_search_index(*, analyze: bool = False) -> None:
    """Merge the search index's pending entries and, after a large import, refresh the
    planner's statistics of the enterprise table (PostgreSQL; after the import's commit,
    so that no row lock is held meanwhile). Without fresh statistics the planner takes a
    two-character query that matches a fifth of the table for a rare one and sorts every
    match instead of reading the name index in order (docs/performance.md)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('enterprise_search_gram_idx') IS NOT NULL")
        if cur.fetchone()[0]:
            cur.execute("SELECT gin_clean_pending_list('enterprise_search_gram_idx'::regclass)")
        if analyze and connection.get_autocommit():
            cur.execute(f"ANALYZE {Enterprise._meta.db_table}")


# ---- validation ------------------------------------------------------------------------


class Validated:
    def __init__(self) -> None:
        self.total = 0
        self.errors: list[dict] = []
        self.notes: list[dict] = []
        self.creates: list[tuple] = []  # values in the order of CREATE_FIELDS
        self.updates: list[tuple] = []  # (pk, *values in the order of UPDATE_COLUMNS)
        self.changed: set[str] = set()  # the UPDATE_COLUMNS that differ in some update
        self.unchanged = 0
        self.codes: list[str] = []  # every code in the file (for the missing-from-source flag)
        self.officers: list[dict] = []


def error_rows(n: int, errs: list[FieldError], labels: Mapping[str, str], raw) -> list[dict]:
    return [
        {
            "row": n,
            "field": e.field,
            "column": labels.get(e.field, e.field),
            "code": e.code,
            "value": tabular.cell_text(raw.get(e.field))[:200],
            "message": e.message,
        }
        for e in errs
    ]


def _chunks(it: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(it, size)):
        yield batch


class EnterpriseImporter:
    """Rows keyed by credit code. With a mapping (a source's own export) the row is laid
    over the enterprise on record, or over the mapping's defaults for a new one, so the
    fields the source does not carry keep their values."""

    def __init__(self, job: ImportJob):
        self.mapping = job.mapping
        self.source = self.mapping.source if self.mapping else ""
        self.districts = queries.district_codes()
        self.industries = queries.industry_map()
        self.district_by_name = {
            name: code for code, name in queries.district_names().items() if code in self.districts
        }
        self.industry_by_name = queries.industry_names()
        self.workers = 0

    def _base(self, raw: dict, current: dict | None) -> dict:
        from .services import export_enterprise_row

        if current is not None:
            base = export_enterprise_row(current["obj"], labels=False)
        elif self.mapping is not None:
            base = dict(self.mapping.defaults or {})
        else:
            base = {}
        merged = {**base, **{k: v for k, v in raw.items() if k in ENTERPRISE_LABELS}}
        if "industry_name" in raw and "industry_code" not in raw:
            code = self.industry_by_name.get(tabular.cell_text(raw["industry_name"]))
            if code:
                merged["industry_code"] = code
        if current is None and self.mapping is not None and "district_code" not in raw:
            merged["district_code"] = self._district(raw) or merged.get("district_code", "")
        return merged

    def _district(self, raw: dict) -> str:
        """The district of a new enterprise from its registering authority (…天山区市场监督
        管理局) or the division code inside its credit code (characters 3–8)."""
        authority = tabular.cell_text(raw.get("registration_authority"))
        for name, code in self.district_by_name.items():
            if name and name in authority:
                return code
        division = normalise_code(tabular.cell_text(raw.get("credit_code")))[2:8]
        return division if division in self.districts else ""

    def validate(self, rows, labels, run: _Run, expected_rows: int = 0) -> Validated:
        """`expected_rows`: the file's rows as counted at the upload (a large file is
        cleaned in worker processes)."""
        out = Validated()
        seen: dict[str, int] = {}
        now = timezone.now()
        with self._pool(expected_rows) as pool:
            for batch, raw_codes, normalised, current, pre in self._batches(rows, pool):
                for i, ((n, raw), raw_code, (code, notes)) in enumerate(
                    zip(batch, raw_codes, normalised, strict=True)
                ):
                    out.total += 1
                    cur = current.get(code)
                    merged = self._base(raw, cur) if (self.mapping or cur) else raw
                    made = None
                    if i in pre:  # a new enterprise, cleaned and keyed by a worker
                        given, errs, made = pre[i]
                    else:
                        cleaned, errs = clean_enterprise(
                            merged, district_codes=self.districts, industries=self.industries
                        )
                        given = cleaned.get("credit_code")
                    if notes and len(out.notes) < 1000:
                        out.notes.append(
                            {
                                "row": n,
                                "field": "credit_code",
                                "value": raw_code[:60],
                                "message": f"统一社会信用代码：{'，'.join(notes)}（已按“{code}”保存）。",
                            }
                        )
                    if given and given in seen:
                        errs.append(
                            FieldError(
                                "credit_code",
                                "duplicate_in_file",
                                f"统一社会信用代码：与第{seen[given]}行重复。",
                            )
                        )
                    elif given:
                        seen[given] = n
                    if errs:
                        out.errors.extend(error_rows(n, errs, labels, merged))
                    elif not out.errors:  # after the first error only errors are collected
                        if made is not None:
                            self._create(out, made, n)
                        else:
                            self._diff(out, cleaned, cur, now, n)
                    if len(out.errors) > 5000:
                        break
                    run.beat(out.total, "validating")
        run.beat(out.total, "validating", force=True)
        return out

    def _pool(self, rows: int) -> AbstractContextManager[ProcessPoolExecutor | None]:
        """Worker processes for the cleaning of a large file of a source without a mapping
        (settings.IMPORT_WORKERS of them from IMPORT_PARALLEL_ROWS rows on), else none."""
        self.workers = workers = settings.IMPORT_WORKERS
        if self.mapping is not None or workers < 2:
            return nullcontext()
        if rows < settings.IMPORT_PARALLEL_ROWS:
            return nullcontext()
        # A fresh interpreter, never a fork of this one (its connection, its threads).
        method = (
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            multiprocessing.set_forkserver_preload(["fairinspect.registry.cleaning"])
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=cleaning.start_worker,
            initargs=(self.districts, self.industries, self.source),
        )

    def _batches(self, rows, pool: ProcessPoolExecutor | None) -> Iterator[tuple]:
        """The file in batches of CHUNK rows, each with its codes as read and normalised,
        the enterprises on record among them and, with a pool, the new enterprises' rows
        already cleaned ({index in the batch: cleaning.clean_rows' result}). A few batches are
        in the workers while the importer collects the one before."""
        ahead: deque[tuple] = deque()
        try:
            for batch in _chunks(iter(rows), CHUNK):
                # Each code read and normalised once: the lookup of the batch's enterprises
                # on record and the row's note both use it.
                raw_codes = [tabular.cell_text(r.get("credit_code")) for _, r in batch]
                normalised = [normalise_with_notes(c) for c in raw_codes]
                current = {
                    e.credit_code: {"obj": e}
                    for e in Enterprise.objects.filter(credit_code__in=[c for c, _ in normalised])
                }
                if pool is None:
                    yield batch, raw_codes, normalised, current, {}
                    continue
                new = [i for i, (c, _) in enumerate(normalised) if c not in current]
                task = pool.submit(cleaning.clean_rows, [batch[i][1] for i in new])
                ahead.append((batch, raw_codes, normalised, current, new, task))
                if len(ahead) > 2 * self.workers:
                    yield self._collected(ahead.popleft())
            while ahead:
                yield self._collected(ahead.popleft())
        finally:
            for *_, task in ahead:
                task.cancel()

    @staticmethod
    def _collected(item: tuple) -> tuple:
        batch, raw_codes, normalised, current, new, task = item
        return batch, raw_codes, normalised, current, dict(zip(new, task.result(), strict=True))

    def _diff(self, out: Validated, cleaned: dict, cur: dict | None, now, row: int = 0) -> None:
        if cur is None:
            self._create(out, cleaning.new_row(cleaned, self.source), row)
            return
        v = cleaning.values(cleaned)
        out.codes.append(v["credit_code"])
        given = list(v.pop("former_identifiers", None) or [])
        e: Enterprise = cur["obj"]
        former = list(e.former_names or [])
        if v["name"] != e.name and e.name not in former:
            former.append(e.name)
        if v["name"] in former:
            former.remove(v["name"])
        v["former_names"] = former
        # Former identifiers are only ever added: an export that no longer carries the old
        # registration number does not make the enterprise unfindable by it.
        ids = list(e.former_identifiers or [])
        added = [i for i in given if i not in ids]
        v["former_identifiers"] = ids + added
        v["source"] = self.source or e.source
        v["missing_from_source_since"] = None if self.source else e.missing_from_source_since
        for f in WRITTEN:
            v.setdefault(f, getattr(e, f))
        compared = [*WRITTEN, "former_names", "former_identifiers", "source"]
        same = all(getattr(e, f) == v[f] for f in compared) and (
            v["missing_from_source_since"] == e.missing_from_source_since
        )
        if same:
            out.unchanged += 1
            return
        self._note_identifiers(out, row, added)
        if (
            v["name"] == e.name
            and v["address"] == e.address
            and former == list(e.former_names or [])
            and v["former_identifiers"] == list(e.former_identifiers or [])
            and e.search_key
            and e.search_grams
        ):
            # The parts of the key did not change (the monthly refresh changes a person or a
            # phone): the stored key and its pieces stand, no pinyin computed again.
            v["search_key"], v["search_grams"] = e.search_key, e.search_grams
        else:
            v["search_key"] = search_key(
                name=v["name"],
                former_names=former,
                credit_code=e.credit_code,
                address=v["address"],
                former_identifiers=v["former_identifiers"],
            )
            v["search_grams"] = key_grams(v["search_key"])
        out.changed.update(f for f in UPDATE_COLUMNS if v[f] != getattr(e, f))
        out.updates.append((e.pk, *(v[f] for f in UPDATE_COLUMNS)))

    def _create(self, out: Validated, made: tuple, row: int) -> None:
        """A new enterprise: its values in the order of CREATE_FIELDS (cleaning.new_row)."""
        out.codes.append(made[0])
        out.creates.append(made)
        self._note_identifiers(out, row, list(made[cleaning.FORMER_IDENTIFIERS]))

    @staticmethod
    def changed_fields(result: Validated) -> list[str]:
        """The columns the UPDATE sets: those that differ in at least one changed row (the
        monthly refresh: the persons and phones), so that neither database rewrites an
        index entry of a column that did not change."""
        return [f for f in UPDATE_COLUMNS if f in result.changed]

    @staticmethod
    def _note_identifiers(out: Validated, row: int, ids: list[str]) -> None:
        if ids and len(out.notes) < 1000:
            out.notes.append(
                {
                    "row": row,
                    "field": "former_identifiers",
                    "value": "、".join(ids)[:60],
                    "message": f"{'、'.join(describe_identifier(i) for i in ids)}"
                    "已作为该企业的原注册号/组织机构代码保存，可按其查找。",
                }
            )

    # ---- writing ----------------------------------------------------------------------

    def stage(self, result: Validated) -> None:
        now = timezone.now()
        if result.creates:
            stage_new(result.creates, now)
        if result.updates:
            stage_changed(result.updates, now, self.changed_fields(result))

    def write(self, result: Validated) -> dict[str, int]:
        now = timezone.now()
        table = Enterprise._meta.db_table
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # The industry foreign key is checked as each row goes in, not at COMMIT
                # (where the audit record's chain lock would be held meanwhile); the search
                # index takes the new entries into its pending list, merged into the index
                # after the commit (clean_search_index), outside the transaction.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("SET LOCAL gin_pending_list_limit = '1GB'")
            if result.creates:
                cols = ", ".join(_new_columns())
                cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {NEW_TABLE}")
            if result.updates:
                changed = _changed_columns(self.changed_fields(result))
                sets = ", ".join(f"{c} = s.{c}" for c in changed[1:])
                cur.execute(
                    f"UPDATE {table} SET {sets} FROM {STAGE_TABLE} s WHERE {table}.id = s.id"
                )
        missing = self._flag_missing(result.codes, now) if self.mapping else 0
        return {
            "created": len(result.creates),
            "updated": len(result.updates),
            "unchanged": result.unchanged,
            "missing": missing,
        }

    def _flag_missing(self, codes: list[str], now) -> int:
        """Flag (never delete) the enterprises of this source that its export no longer
        carries: a code table of the file, then one UPDATE."""
        if self.mapping is None or not self.mapping.flags_missing:
            return 0
        table = "fi_import_codes"
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"CREATE TEMP TABLE {table} (code varchar(18) PRIMARY KEY)")
            for batch in _chunks(iter(codes), 5000):
                cur.executemany(f"INSERT INTO {table} (code) VALUES (%s)", [(c,) for c in batch])
            e = Enterprise._meta.db_table
            cur.execute(
                f"UPDATE {e} SET missing_from_source_since = %s WHERE source = %s "
                f"AND missing_from_source_since IS NULL "
                f"AND credit_code NOT IN (SELECT code FROM {table})",
                [now, self.source],
            )
            n = cur.rowcount
            cur.execute(f"DROP TABLE {table}")
        return n


NEW_TABLE, STAGE_TABLE = "fi_enterprise_new", "fi_enterprise_stage"


def _shaped_like_enterprises(cur, table: str, cols: list[str]) -> None:
    """A temporary table with the enterprise table's column types (both databases)."""
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(
        f"CREATE TEMP TABLE {table} AS SELECT {', '.join(cols)} "
        f"FROM {Enterprise._meta.db_table} WHERE 1 = 0"
    )


def _new_columns() -> list[str]:
    return [f.column for f in Enterprise._meta.concrete_fields if not f.primary_key]


def _changed_columns(fields: list[str]) -> list[str]:
    meta = Enterprise._meta
    return ["id"] + [cast(Field, meta.get_field(f)).column for f in [*fields, "updated_at"]]


def _load(cur, table: str, cols: list[str], rows: Iterator[list]) -> None:
    """Fill a staging table: COPY on PostgreSQL (one stream, no statement per row),
    executemany in batches elsewhere."""
    if connection.vendor == "postgresql":
        raw = cur.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(values)
        return
    marks = ", ".join(["%s"] * len(cols))
    for batch in _chunks(rows, 2000):
        cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", batch)


_PLAIN = frozenset({"CharField", "TextField", "SlugField"})


def _prepare(field: Field) -> Callable[[Any], Any]:
    """The value as the database stores it, as `get_db_prep_save` gives it, without a
    model instance: a text column's str as it is (most columns), the rest converted once
    per distinct value (dates, levels, flags and empty lists repeat from row to row)."""
    if field.get_internal_type() in _PLAIN:

        def text(v: Any) -> Any:
            return v if type(v) is str else field.get_db_prep_save(v, connection)

        return text
    seen: dict[Any, Any] = {}

    def converted(v: Any) -> Any:
        key = (type(v), tuple(v) if type(v) is list and len(v) < 4 else v)
        try:
            return seen[key]
        except TypeError:  # a value that cannot be a key: converted each time
            return field.get_db_prep_save(v, connection)
        except KeyError:
            prepared = field.get_db_prep_save(v, connection)
            if len(seen) < 10_000:
                seen[key] = prepared
            return prepared

    return converted


def stage_new(rows: list[tuple], now) -> None:
    """The new enterprises, every column as Django would insert it (defaults, auto_now),
    prepared field by field (no model instance per row), in credit-code order so that the
    write transaction appends to the code's unique index instead of seeking in it."""
    fields = [f for f in Enterprise._meta.concrete_fields if not f.primary_key]
    position = {name: i for i, name in enumerate(CREATE_FIELDS)}
    read = [f for f in fields if f.attname in position]
    fixed = [f for f in fields if f.attname not in position]  # not read from the file
    cols = [f.column for f in [*read, *fixed]]
    pick = itemgetter(*(position[f.attname] for f in read))
    plan = [(f.get_internal_type() in _PLAIN, _prepare(f)) for f in read]
    # The columns not read from the file: their defaults, the same for every row.
    defaults = [
        f.get_db_prep_save(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(),
            connection,
        )
        for f in fixed
    ]

    def values() -> Iterator[list]:
        for row in sorted(rows, key=itemgetter(0)):
            out = [
                v if text and type(v) is str else prep(v)
                for (text, prep), v in zip(plan, pick(row), strict=True)
            ]
            out += defaults
            yield out

    with connection.cursor() as cur:
        _shaped_like_enterprises(cur, NEW_TABLE, cols)
        # No ANALYZE: the INSERT reads the whole table whatever its statistics say.
        _load(cur, NEW_TABLE, cols, values())


def stage_changed(rows: list[tuple], now, fields: list[str]) -> None:
    """The new values of the changed enterprises: (id, *fields, updated_at), `fields`
    among UPDATE_COLUMNS, in id order (the order of the table)."""
    meta = Enterprise._meta
    plan = [(1 + UPDATE_COLUMNS.index(f), _prepare(cast(Field, meta.get_field(f)))) for f in fields]
    stamp = meta.get_field("updated_at").get_db_prep_save(now, connection)
    cols = _changed_columns(fields)

    def values() -> Iterator[list]:
        for row in sorted(rows, key=lambda r: r[0]):
            yield [row[0], *(prep(row[i]) for i, prep in plan), stamp]

    with connection.cursor() as cur:
        _shaped_like_enterprises(cur, STAGE_TABLE, cols)
        _load(cur, STAGE_TABLE, cols, values())
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE {STAGE_TABLE} ADD PRIMARY KEY (id)")
            cur.execute(f"ANALYZE {STAGE_TABLE}")


def drop_stages() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {NEW_TABLE}")
        cur.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
