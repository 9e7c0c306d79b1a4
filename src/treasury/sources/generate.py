"""Write every synthetic source extract into the landing zone as Parquet batches.

``landing/<dataset>/<batch>.parquet``: the batch is the year (``2023``), or the month
(``2023-07``) for ``span_sp2d``, ``sakti_spm`` and ``mpn_penerimaan`` so that the large scale
stays within a few GB of memory; ``span_satker`` is one file (``satker``). Each batch comes from
its own random stream, so the same seed and scale give byte-identical files however the run is
chunked. A batch is written to a temporary name and moved into place (``os.replace``); batches
of an earlier run that this run does not produce (e.g. months after a new, earlier as-of date)
are removed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from treasury.sources import bps, mpn, span, subsidi, tkd
from treasury.sources.run import Run
from treasury.sources.scale import Scale
from treasury.sources.schemas import SCHEMAS
from treasury.sources.seeds import DEFAULT_SEED
from treasury.sources.sp2d import generate_month

Progress = Callable[[str, int, int], None]
_BATCH = re.compile(r"^(\d{4}|\d{4}-\d{2}|satker)\.parquet$")


def write_batch(landing: Path, dataset: str, batch: str, table: pa.Table) -> Path | None:
    """Write one batch atomically and return its path (nothing for an empty table)."""
    if table.num_rows == 0:
        return None
    if table.schema != SCHEMAS[dataset]:
        raise ValueError(f"{dataset}/{batch} does not match its contract schema")
    folder = landing / dataset
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{batch}.parquet"
    temp = folder / f".{batch}.parquet.tmp"
    pq.write_table(table, temp, compression="zstd", row_group_size=1_000_000)
    temp.replace(path)  # os.replace: atomic on the same file system
    return path


def _batches(run: Run) -> Iterator[tuple[str, str, Callable[[], pa.Table]]]:
    """(dataset, batch, producer) for everything but the monthly payments."""
    yield "span_satker", "satker", lambda: run.satker.table
    for year in run.years:
        batch = str(year)
        yield "span_pagu_apbn", batch, partial(span.span_pagu_apbn, year)
        yield "span_pembiayaan", batch, partial(span.span_pembiayaan, run, year)
        yield "tkd_dana_desa", batch, partial(tkd.tkd_dana_desa, run, year)
        yield "tkd_penyaluran", batch, partial(tkd.tkd_penyaluran, run, year)
        yield "subsidi_realisasi", batch, partial(subsidi.subsidi_realisasi, run, year)
        yield "bps_makro", batch, partial(bps.bps_makro, run, year)
        yield "bps_indikator_provinsi", batch, partial(bps.bps_indikator, run, year)


def generate(
    landing: Path,
    scale: str | Scale = "small",
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> dict[str, list[Path]]:
    """Generate all synthetic source extracts into ``landing``.

    Parameters
    ----------
    landing:
        The landing zone folder (one sub-folder per dataset is created).
    scale:
        ``tiny``, ``small``, ``medium``, ``large`` (or a :class:`Scale`).
    seed:
        Seed of the run; same seed and scale give identical files.
    as_of:
        The as-of date (default today): nothing dated after it exists.
    progress:
        Optional ``progress(stage, done, total)`` callback.

    Returns
    -------
    dict
        Dataset name -> the batch files written.

    Examples
    --------
    >>> import tempfile
    >>> written = generate(Path(tempfile.mkdtemp()), "tiny", as_of=dt.date(2019, 2, 28))
    >>> sorted(written)[:3]
    ['bps_makro', 'mpn_penerimaan', 'sakti_spm']
    """
    run = Run.create(scale, seed, as_of)
    landing = Path(landing)
    written: dict[str, list[Path]] = {name: [] for name in SCHEMAS}
    report = progress or (lambda stage, done, total: None)

    def put(dataset: str, batch: str, table: pa.Table) -> None:
        path = write_batch(landing, dataset, batch, table)
        if path is not None:
            written[dataset].append(path)

    months = [(y, m) for y in run.years for m in run.months(y)]
    realised: list[pa.Table] = []
    for i, (year, month) in enumerate(months):
        payments = generate_month(run, year, month)
        put("span_sp2d", f"{year}-{month:02d}", payments.sp2d)
        put("sakti_spm", f"{year}-{month:02d}", payments.spm)
        realised.append(span.realised_by_key(payments.sp2d))
        if month == run.months(year)[-1]:
            put("span_dipa", str(year), span.span_dipa(run, year, realised))
            realised = []
        report("span_sp2d, sakti_spm, span_dipa", i + 1, len(months))
    for i, (year, month) in enumerate(months):
        put("mpn_penerimaan", f"{year}-{month:02d}", mpn.mpn_penerimaan(run, year, month))
        report("mpn_penerimaan", i + 1, len(months))
    others = list(_batches(run))
    for i, (dataset, batch, produce) in enumerate(others):
        put(dataset, batch, produce())
        report("other extracts", i + 1, len(others))
    _remove_stale(landing, written)
    return {k: v for k, v in written.items() if v}


def _remove_stale(landing: Path, written: dict[str, list[Path]]) -> None:
    """Delete generator-named batches of earlier runs that this run did not write."""
    for dataset, paths in written.items():
        keep = {p.name for p in paths}
        folder = landing / dataset
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if _BATCH.match(path.name) and path.name not in keep:
                path.unlink()
