"""Spark engine: the DuckDB-dialect mart SQL, transpiled by SQLGlot, run on Apache Spark.

The marts are written once, in DuckDB SQL. This engine translates each file with
``sqlglot.transpile(sql, read="duckdb", write="spark")`` plus a few documented fix-ups where
SQLGlot's output would compute something different on Spark, registers every input as a temporary
view (a lake table as its current Parquet files, an in-memory Arrow table through Arrow), runs the
query and returns Arrow with the same column names and types as the DuckDB engine gives.

PySpark is an optional extra (``treasury-bigdata[spark]``) and is imported only when a session is
first needed, so the rest of the package works without it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import sqlglot
from sqlglot import exp

from treasury.warehouse.engines import Engine, TableLike

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "DEFAULT_CONF",
    "SPARK_EXTRA_HINT",
    "SparkEngine",
    "SparkMartError",
    "to_spark_sql",
]

SPARK_EXTRA_HINT = "install the spark extra: pip install 'treasury-bigdata[spark]'"

#: Session settings for a local session; a cluster session passed in keeps its own.
DEFAULT_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    # Naive timestamps mean Asia/Jakarta wall-clock time: UTC sessions never shift them.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # DuckDB raises on division by zero, bad casts and overflow; ANSI mode makes Spark do the same
    # (and never wrap a rupiah sum around silently).
    "spark.sql.ansi.enabled": "true",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


class SparkMartError(RuntimeError):
    """A mart failed on Spark; the message carries the mart name and the Spark SQL that ran."""


# --------------------------------------------------------------------------------------------
# DuckDB -> Spark SQL
# --------------------------------------------------------------------------------------------


def _boundary_date_diff(node: exp.Expression) -> exp.Expression:
    """DuckDB ``date_diff`` counts unit boundaries crossed; Spark counts whole units elapsed."""
    if not isinstance(node, exp.DateDiff) or node.args.get("unit") is None:
        return node
    unit = node.args["unit"]
    name = unit.name.upper() if isinstance(unit, exp.Var | exp.Literal) else ""
    if name not in {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND"}:
        return node
    fixed = node.copy()
    for arg in ("this", "expression"):
        fixed.set(arg, exp.TimestampTrunc(this=fixed.args[arg], unit=exp.var(name)))
    fixed.set("date_part_boundary", None)
    return fixed


def _unix_micros(value: exp.Expression) -> exp.Expression:
    """Microseconds since 1970 of a naive timestamp (read as UTC, the session zone)."""
    ltz = exp.cast(value, exp.DataType.build("TIMESTAMPLTZ"))
    return exp.Anonymous(this="UNIX_MICROS", expressions=[ltz])


def _epoch_seconds(node: exp.Expression) -> exp.Expression:
    """DuckDB ``epoch(b - a)`` is seconds between timestamps; SQLGlot emits an invalid
    ``UNIX_TIMESTAMP(interval)`` for it, and ``UNIX_TIMESTAMP(ts)`` drops sub-second parts."""
    target: exp.Expression | None = None
    if isinstance(node, exp.TimeToUnix):
        target = node.this
    elif isinstance(node, exp.Extract) and node.name.upper() == "EPOCH":
        target = node.expression
    if target is None:
        return node
    while isinstance(target, exp.Paren):
        target = target.this
    micros: exp.Expression
    if isinstance(target, exp.Sub):
        micros = exp.Sub(
            this=_unix_micros(target.this.copy()),
            expression=_unix_micros(target.expression.copy()),
        )
    else:
        micros = _unix_micros(target.copy())
    seconds = exp.Div(
        this=exp.cast(micros, exp.DataType.build("DOUBLE")),
        expression=exp.Literal.number(1_000_000),
    )
    return exp.Paren(this=seconds)


_SUNDAY_ZERO = {"DOW", "DAYOFWEEK", "WEEKDAY"}
_ISO = {"ISODOW", "DAYOFWEEK_ISO", "DOW_ISO"}


def _day_of_week(node: exp.Expression) -> exp.Expression:
    """DuckDB numbers weekdays Sunday=0 (``dayofweek``, ``dow``) or Monday=1 (``isodow``);
    Spark's ``DAYOFWEEK`` is Sunday=1 and SQLGlot passes it through (and gets ISODOW wrong)."""
    part: str | None = None
    value: exp.Expression | None = None
    if isinstance(node, exp.DayOfWeekIso):
        part, value = "ISODOW", node.this
    elif isinstance(node, exp.DayOfWeek):
        part, value = "DOW", node.this
    elif isinstance(node, exp.Extract):
        part, value = node.name.upper(), node.expression
    elif isinstance(node, exp.Anonymous) and node.name.upper() in _SUNDAY_ZERO | _ISO:
        part, value = node.name.upper(), node.expressions[0]
    elif isinstance(node, exp.Anonymous) and node.name.upper() in {"DATE_PART", "DATEPART"}:
        unit, value = node.expressions[0], node.expressions[1]
        part = unit.name.upper() if isinstance(unit, exp.Literal) else None
    if value is None or part not in _SUNDAY_ZERO | _ISO:
        return node
    day: exp.Expression
    if part in _ISO:  # Spark WEEKDAY is Monday=0
        day = exp.Add(
            this=exp.Anonymous(this="WEEKDAY", expressions=[value.copy()]),
            expression=exp.Literal.number(1),
        )
    else:
        day = exp.Sub(
            this=exp.Anonymous(this="DAYOFWEEK", expressions=[value.copy()]),
            expression=exp.Literal.number(1),
        )
    return exp.Paren(this=day)


#: Post-parse fix-ups applied to the DuckDB syntax tree before it is written as Spark SQL.
#: Each one bridges a difference SQLGlot does not (see its docstring for the reason).
FIXUPS: tuple[Callable[[exp.Expression], exp.Expression], ...] = (
    _boundary_date_diff,
    _epoch_seconds,
    _day_of_week,
)


def to_spark_sql(sql: str) -> list[str]:
    """Translate a DuckDB-dialect mart file into Spark SQL statements.

    Parameters
    ----------
    sql
        The mart's SQL text (DuckDB dialect); one or more statements, the last one a query.

    Returns
    -------
    list[str]
        Spark SQL statements in order, pretty-printed; comments are dropped.

    Examples
    --------
    >>> to_spark_sql("select date_diff('minute', a, b) as menit from t")
    ["SELECT\\n  DATEDIFF(MINUTE, DATE_TRUNC('MINUTE', a), DATE_TRUNC('MINUTE', b)) AS menit\\nFROM t"]
    """
    statements = []
    for tree in sqlglot.parse(sql, read="duckdb"):
        if tree is None:
            continue
        for fixup in FIXUPS:
            tree = tree.transform(fixup)
        statements.append(tree.sql(dialect="spark", pretty=True, comments=False))
    return statements


# --------------------------------------------------------------------------------------------
# Arrow <-> Spark
# --------------------------------------------------------------------------------------------


def _spark_arrow_type(t: pa.DataType) -> pa.DataType:
    """The nearest Arrow type Spark's Arrow converter accepts (no views, unsigned or large)."""
    if pa.types.is_dictionary(t):
        return _spark_arrow_type(t.value_type)
    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_binary_view(t) or pa.types.is_large_binary(t):
        return pa.binary()
    if pa.types.is_unsigned_integer(t):
        widen = {8: pa.int16(), 16: pa.int32(), 32: pa.int64(), 64: pa.decimal128(20, 0)}
        return widen[t.bit_width]
    if pa.types.is_float16(t):
        return pa.float32()
    if pa.types.is_null(t):
        return pa.string()
    if pa.types.is_timestamp(t) and t.unit != "us":
        return pa.timestamp("us", t.tz)
    if pa.types.is_decimal(t) and t.precision > 38:
        return pa.decimal128(38, min(t.scale, 38))
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t):
        return pa.list_(_spark_arrow_type(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([f.with_type(_spark_arrow_type(f.type)) for f in t])
    return t


def _spark_compatible(table: pa.Table) -> pa.Table:
    """Cast columns Spark cannot take from Arrow to the nearest type it can."""
    schema = pa.schema([f.with_type(_spark_arrow_type(f.type)) for f in table.schema])
    return table if schema.equals(table.schema) else table.cast(schema)


def _local_parquet_files(dataset: ds.Dataset) -> list[str] | None:
    """Absolute local paths of a Parquet dataset's files, or None when Spark cannot read them
    as they are (not Parquet, not on the local disk, or partition values held in paths)."""
    if not isinstance(dataset, ds.FileSystemDataset):
        return None
    if not isinstance(dataset.format, ds.ParquetFileFormat):
        return None
    fs = dataset.filesystem
    base = ""
    if isinstance(fs, pafs.SubTreeFileSystem):
        base, fs = fs.base_path, fs.base_fs
    if not isinstance(fs, pafs.LocalFileSystem):
        return None
    paths = []
    for fragment in dataset.get_fragments():
        if ds.get_partition_keys(fragment.partition_expression):
            return None
        paths.append(str(Path(base) / fragment.path) if base else fragment.path)
    return paths


def _conform(result: pa.Table, schema: pa.Schema, name: str) -> pa.Table:
    """Give Spark's result the DuckDB engine's column names and types (by position)."""
    if result.num_columns != len(schema):
        raise SparkMartError(
            f"mart {name!r}: Spark returned {result.num_columns} columns "
            f"{result.column_names}, DuckDB gives {len(schema)} {schema.names}"
        )
    columns = []
    for column, field in zip(result.columns, schema, strict=True):
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            # Session time zone is UTC, so the UTC instant is the naive wall-clock value.
            column = pc.cast(column, pa.timestamp(column.type.unit))
        columns.append(column if column.type == field.type else pc.cast(column, field.type))
    return pa.Table.from_arrays(columns, schema=pa.schema([f.with_nullable(True) for f in schema]))


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


def _pyspark_sql() -> Any:
    """Import ``pyspark.sql`` or say how to install it."""
    try:
        import pyspark.sql
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(f"the Spark engine needs PySpark: {SPARK_EXTRA_HINT}") from exc
    return pyspark.sql


class SparkEngine:
    """Run mart SQL on Apache Spark with DuckDB-identical output.

    Parameters
    ----------
    session
        An existing SparkSession (a cluster, Databricks); it is never stopped by this engine.
        When omitted, a local session is created on first use with :data:`DEFAULT_CONF`.
    master
        Spark master URL for a session this engine creates.
    conf
        Extra settings for a session this engine creates (override :data:`DEFAULT_CONF`).

    Examples
    --------
    >>> import pyarrow as pa
    >>> engine = SparkEngine()  # doctest: +SKIP
    >>> engine.run_mart("m", "select sum(n) as total from t", {"t": pa.table({"n": [1, 2]})})
    ... # doctest: +SKIP
    pyarrow.Table
    total: decimal128(38, 0)
    ----
    total: [[3]]
    >>> engine.close()  # doctest: +SKIP
    """

    name = "spark"

    def __init__(
        self,
        session: SparkSession | None = None,
        *,
        master: str = "local[2]",
        conf: Mapping[str, str] | None = None,
    ) -> None:
        self._session = session
        self._owns_session = False
        self._master = master
        self._conf = {**DEFAULT_CONF, **(conf or {})}
        self._reference: Engine | None = None

    @property
    def session(self) -> SparkSession:
        """The SparkSession, created on first use (local mode unless one was passed in)."""
        if self._session is None:
            sql = _pyspark_sql()
            already = sql.SparkSession.getActiveSession()
            builder = sql.SparkSession.builder.master(self._master).appName("treasury")
            for key, value in self._conf.items():
                builder = builder.config(key, value)
            builder = builder.config(
                "spark.sql.warehouse.dir",
                str(Path(tempfile.gettempdir()) / f"treasury-spark-warehouse-{os.getpid()}"),
            )
            try:
                self._session = builder.getOrCreate()
            except Exception as exc:
                raise RuntimeError(
                    f"could not start Spark ({exc}); Spark needs Java 17+ on PATH or JAVA_HOME"
                ) from exc
            self._session.sparkContext.setLogLevel("ERROR")
            # Errors are re-raised as SparkMartError with the mart and its SQL; PySpark would
            # also log each one as a multi-kilobyte JSON record on stderr.
            for logger in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
                logging.getLogger(logger).setLevel(logging.CRITICAL)
            self._owns_session = already is None
        return self._session

    def to_sql(self, sql: str) -> list[str]:
        """The Spark SQL statements this engine runs for a DuckDB-dialect mart file."""
        return to_spark_sql(sql)

    def run_mart(self, name: str, sql: str, tables: Mapping[str, TableLike]) -> pa.Table:
        """Run one mart's SQL over the given inputs and return its rows.

        Parameters
        ----------
        name
            Mart name, used in error messages.
        sql
            The mart's SQL (DuckDB dialect). Inputs are referred to by their keys in ``tables``.
        tables
            Input name to Arrow table or Arrow dataset. A local Parquet dataset (a Delta table's
            current files) is read by Spark directly; anything else goes through Arrow.

        Returns
        -------
        pyarrow.Table
            The result with the DuckDB engine's column names and Arrow types.
        """
        schema = self._duckdb_schema(name, sql, tables)
        statements = self.to_sql(sql)
        spark = self.session
        views = []
        try:
            for view, data in tables.items():
                self._frame(data).createOrReplaceTempView(view)
                views.append(view)
            frame = None
            for statement in statements:
                frame = spark.sql(statement)
            if frame is None:
                raise SparkMartError(f"mart {name!r} has no SQL statement")
            result = _collect_arrow(frame)
        except SparkMartError:
            raise
        except Exception as exc:
            spark_sql = ";\n".join(statements)
            raise SparkMartError(
                f"mart {name!r} failed on Spark: {exc}\n-- Spark SQL:\n{spark_sql}"
            ) from exc
        finally:
            for view in views:
                spark.catalog.dropTempView(view)
        return _conform(result, schema, name)

    def _duckdb_schema(self, name: str, sql: str, tables: Mapping[str, TableLike]) -> pa.Schema:
        """The schema the DuckDB engine gives for this mart: its run on empty inputs."""
        if self._reference is None:
            from treasury.warehouse.engines.duckdb import DuckDBEngine

            self._reference = DuckDBEngine()
        empty = {view: data.schema.empty_table() for view, data in tables.items()}
        return self._reference.run_mart(name, sql, empty).schema

    def _frame(self, data: TableLike) -> DataFrame:
        """A Spark DataFrame over one input, in the input's column order."""
        spark = self.session
        if isinstance(data, ds.Dataset):
            paths = _local_parquet_files(data)
            if paths:
                frame = spark.read.option("mergeSchema", "true").parquet(*paths)
                return frame.select(*[f"`{n}`" for n in data.schema.names])
            data = data.to_table()
        if not isinstance(data, pa.Table):
            raise TypeError(f"expected a pyarrow Table or Dataset, got {type(data).__name__}")
        table = _spark_compatible(data)
        if _pyspark_major() >= 4:
            return spark.createDataFrame(table)
        # PySpark 3.5 takes pandas (through Arrow); give it the Spark schema so empty and
        # all-null columns keep their types.
        from pyspark.sql.pandas.types import from_arrow_schema

        return spark.createDataFrame(
            table.to_pandas(types_mapper=None), schema=from_arrow_schema(table.schema)
        )

    def close(self) -> None:
        """Stop the SparkSession if this engine started it; idempotent."""
        if self._reference is not None:
            self._reference.close()
            self._reference = None
        if self._session is not None and self._owns_session:
            self._session.stop()
        self._session = None
        self._owns_session = False

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _pyspark_major() -> int:
    """Major version of the installed PySpark."""
    import pyspark

    return int(pyspark.__version__.split(".")[0])


def _collect_arrow(frame: DataFrame) -> pa.Table:
    """Collect a DataFrame as Arrow (``toArrow`` on Spark 4, the Arrow collector on 3.5)."""
    to_arrow = getattr(frame, "toArrow", None)
    if to_arrow is not None:
        return to_arrow()
    legacy: Any = frame  # PySpark 3.5: a private helper, typed as a column lookup
    batches = legacy._collect_as_arrow()
    from pyspark.sql.pandas.types import to_arrow_schema

    return pa.Table.from_batches(batches, schema=to_arrow_schema(frame.schema))
