"""The marts, read from the warehouse dbt built them in: one connection layer (issue #15).

The briefs and the quality rules read the marts only through a `Marts` connection, whatever the
engine: the DuckDB warehouse file (the default), PostgreSQL (the dbt profile's `postgres`
output, SALESPULSE_PG_*), or the tables dbt built with the `spark` target (Spark's warehouse
folder: one folder of Parquet files per table, read here by an in-memory DuckDB, so reading them
needs no JVM and no Spark session). Which one: SALESPULSE_MARTS_ENGINE (duckdb | postgres | spark).

The SQL they send is written once, in the dialect the engines share: parameters by name
(`$as_of`, with a dict) or by position (`?`, with a sequence); the Postgres connection rewrites
the markers to psycopg2's. A relation that is not there raises `MissingRelation` on every engine.
Rows come back as Python values (Decimal, date, datetime), frames as DuckDB's `df()` gives them
(decimals as float64, dates as datetime64), so a caller cannot tell the engines apart.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from salespulse.config import MARTS_ENGINES as ENGINES

Params = Mapping[str, Any] | Sequence[Any] | None

_NAMED = re.compile(r"\$([A-Za-z_]\w*)")


class MissingRelation(LookupError):
    """The statement reads a table (or schema) the warehouse does not have (yet)."""


class MartsError(RuntimeError):
    """The marts cannot be opened as configured (no such folder, server unreachable)."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    # The DB-API's names for the same, for code written against a DuckDB or psycopg2 cursor.
    def fetchall(self) -> list[tuple]:
        return self.rows

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None


class Marts:
    """A read connection to the marts. Subclasses implement `execute` and `frames`."""

    engine = ""

    def execute(self, sql: str, params: Params = None) -> Result:
        raise NotImplementedError

    def frames(self, sql: str, params: Params = None, chunk_rows: int = 500_000) -> Iterator[pd.DataFrame]:
        """The result `chunk_rows` rows at a time (at least one frame, empty when no rows)."""
        raise NotImplementedError

    def records(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        return self.execute(sql, params).records()

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        return pd.concat(list(self.frames(sql, params, chunk_rows=1 << 62)), ignore_index=True)

    def close(self) -> None:
        pass

    def __enter__(self) -> Marts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class DuckDBMarts(Marts):
    """A DuckDB connection: the warehouse file, or (SparkMarts) views over Parquet folders."""

    engine = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, owned: bool = False):
        self.con = con
        self._owned = owned

    def _run(self, sql: str, params: Params, on: duckdb.DuckDBPyConnection | None = None):
        """SQL on this connection, or ON (a cursor of it); a missing relation is MissingRelation."""
        target = self.con if on is None else on
        try:
            if params is None:
                return target.execute(sql)
            return target.execute(sql, dict(params) if isinstance(params, Mapping) else list(params))
        except duckdb.CatalogException as exc:
            raise MissingRelation(str(exc)) from exc

    def execute(self, sql: str, params: Params = None) -> Result:
        cursor = self._run(sql, params)
        return Result([d[0] for d in cursor.description], cursor.fetchall())

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        return self._run(sql, params).df()

    def frames(self, sql: str, params: Params = None, chunk_rows: int = 500_000) -> Iterator[pd.DataFrame]:
        cursor = self.con.cursor()
        try:
            self._run(sql, params, on=cursor)
            vectors = max(1, chunk_rows // 2048)
            yield from _chunks(lambda: cursor.fetch_df_chunk(vectors))
        finally:
            cursor.close()

    def close(self) -> None:
        if self._owned:
            self.con.close()


class SparkMarts(DuckDBMarts):
    """The tables dbt built with the `spark` target, read from Spark's warehouse folder
    (`spark.sql.warehouse.dir`): `<schema>.db/<table>/part-*.parquet`, each table a view of an
    in-memory DuckDB. Views of Spark (no folder) are not readable this way; every mart is a table.
    A table folder Spark is writing keeps its new files under `_temporary` until the job commits,
    which the non-recursive listing skips."""

    engine = "spark"

    def __init__(self, warehouse_dir: Path, threads: int = 1):
        if not warehouse_dir.is_dir():
            raise MartsError(
                f"no Spark warehouse at {warehouse_dir}: build the marts with `salespulse dbt build "
                "--target spark` (raw from the Parquet mirror, SALESPULSE_RAW_PARQUET=1), or set "
                "SALESPULSE_SPARK_HOME to where they are"
            )
        con = duckdb.connect(config={"threads": str(threads)})
        super().__init__(con, owned=True)
        self.warehouse_dir = warehouse_dir
        for schema_dir in sorted(warehouse_dir.glob("*.db")):
            schema = schema_dir.name.removesuffix(".db")
            con.execute(f'create schema if not exists "{schema}"')
            for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
                if not any(table_dir.glob("*.parquet")):
                    raise MartsError(
                        f"{table_dir} has no Parquet files: a table partitioned into folders, or "
                        "in a format other than Parquet, is not read by SALESPULSE_MARTS_ENGINE=spark"
                    )
                files = str(table_dir / "*.parquet").replace("'", "''")
                con.execute(
                    f'create view "{schema}"."{table_dir.name}" as select * from read_parquet(\'{files}\')'
                )

    def _run(self, sql: str, params: Params, on: duckdb.DuckDBPyConnection | None = None):
        try:
            return super()._run(sql, params, on)
        except MissingRelation as exc:
            raise MissingRelation(
                f"{exc} (not among the tables of the Spark warehouse {self.warehouse_dir}: "
                "its marts are built by `salespulse dbt build --target spark`)"
            ) from exc


class PostgresMarts(Marts):
    """A read-only psycopg2 session (autocommit: a failed statement does not end the session)."""

    engine = "postgres"

    def __init__(self, connect_args: Mapping[str, Any]):
        import psycopg2

        try:
            self.con = psycopg2.connect(**connect_args, connect_timeout=10)
        except psycopg2.OperationalError as exc:
            where = f"{connect_args.get('host')}:{connect_args.get('port')}/{connect_args.get('dbname')}"
            raise MartsError(f"cannot reach the Postgres marts at {where} (SALESPULSE_PG_*): {exc}") from exc
        self.con.set_session(readonly=True, autocommit=True)

    @staticmethod
    def translate(sql: str, params: Params) -> tuple[str, Any]:
        """`$name` (dict) or `?` (sequence) markers → psycopg2's, literal `%` doubled."""
        if params is None:
            return sql, None
        text = sql.replace("%", "%%")
        if isinstance(params, Mapping):
            return _NAMED.sub(r"%(\1)s", text), dict(params)
        return text.replace("?", "%s"), list(params)

    def _cursor(self, sql: str, params: Params, name: str | None = None):
        import psycopg2.errors

        text, bound = self.translate(sql, params)
        cursor = self.con.cursor()
        try:
            cursor.execute(text, bound)
        except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName) as exc:
            cursor.close()
            raise MissingRelation(str(exc).strip()) from exc
        return cursor

    def execute(self, sql: str, params: Params = None) -> Result:
        with self._cursor(sql, params) as cursor:
            return Result([d.name for d in cursor.description], cursor.fetchall())

    def frames(self, sql: str, params: Params = None, chunk_rows: int = 500_000) -> Iterator[pd.DataFrame]:
        with self._cursor(sql, params) as cursor:
            columns = [d.name for d in cursor.description]
            for rows in _chunks(lambda: cursor.fetchmany(min(chunk_rows, 1 << 24))):
                yield as_duckdb_frame(columns, rows)

    def close(self) -> None:
        self.con.close()


def _chunks(fetch):
    """What `fetch()` gives until it gives an empty chunk: the first chunk always (empty when
    there are no rows, so that a frame still names the columns), then every non-empty one."""
    chunk = fetch()
    yield chunk
    while len(chunk):
        chunk = fetch()
        if len(chunk):
            yield chunk


def as_duckdb_frame(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Rows as the frame DuckDB's `df()` would give: decimals as float64, dates and timestamps
    as datetime64, so the checks read the same dtypes from every engine."""
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in columns:
        values = frame[column].dropna()
        if values.empty:
            continue
        sample = values.iloc[0]
        if isinstance(sample, decimal.Decimal):
            frame[column] = frame[column].astype("float64")
        elif isinstance(sample, (date, datetime)):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame


def as_marts(con: Marts | duckdb.DuckDBPyConnection) -> Marts:
    """A Marts for a DuckDB connection the caller owns (the pipeline's warehouse connection)."""
    return con if isinstance(con, Marts) else DuckDBMarts(con)


@dataclass(frozen=True)
class MartsSource:
    """Where the marts are, as a value that can be passed to another process (briefs render in
    worker processes): the engine and its location. `open()` gives a read connection."""

    engine: str
    location: str = ""  # DuckDB: the warehouse file; Spark: its warehouse folder
    connect_args: tuple[tuple[str, Any], ...] = ()  # Postgres: psycopg2.connect's arguments

    @classmethod
    def duckdb(cls, path: str | Path) -> MartsSource:
        return cls("duckdb", str(path))

    @classmethod
    def spark(cls, warehouse_dir: str | Path) -> MartsSource:
        return cls("spark", str(warehouse_dir))

    @classmethod
    def postgres(cls, connect_args: Mapping[str, Any]) -> MartsSource:
        return cls("postgres", connect_args=tuple(sorted(connect_args.items())))

    @classmethod
    def from_settings(cls, settings) -> MartsSource:
        """SALESPULSE_MARTS_ENGINE's warehouse: the DuckDB file (SALESPULSE_WAREHOUSE), Postgres
        (SALESPULSE_PG_*, as the dbt profile), or Spark's folder ($SALESPULSE_SPARK_HOME/warehouse)."""
        if settings.marts_engine == "postgres":
            return cls.postgres(settings.postgres_connect_args())
        if settings.marts_engine == "spark":
            return cls.spark((settings.spark_home or settings.home / "spark") / "warehouse")
        return cls.duckdb(settings.warehouse_path)

    def describe(self) -> str:
        if self.engine == "postgres":
            args = dict(self.connect_args)
            return f"postgres {args.get('host')}:{args.get('port')}/{args.get('dbname')}"
        return f"{self.engine} {self.location}"

    @contextmanager
    def open(self) -> Iterator[Marts]:
        """A read-only connection, closed on exit. DuckDB with one thread: briefs load in as many
        processes as there are cores, and their queries are small."""
        if self.engine == "duckdb":
            if not Path(self.location).exists():
                raise MartsError(f"no DuckDB warehouse at {self.location}: run the pipeline first")
            marts: Marts = DuckDBMarts(
                duckdb.connect(self.location, read_only=True, config={"threads": "1"}), owned=True
            )
        elif self.engine == "spark":
            marts = SparkMarts(Path(self.location))
        elif self.engine == "postgres":
            marts = PostgresMarts(dict(self.connect_args))
        else:
            raise MartsError(f"unknown marts engine {self.engine!r}: one of {', '.join(ENGINES)}")
        try:
            yield marts
        finally:
            marts.close()
