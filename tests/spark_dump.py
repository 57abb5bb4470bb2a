"""Every relation of some schemas of a Spark warehouse built by dbt's `spark` target, written as
one Parquet file each, so that a test can compare them with DuckDB's
(tests/salespulse/engines/test_engine_spark.py).

Run as a script in its own process (Spark's embedded metastore admits one JVM at a time, and
the JVM outlives a SparkSession): python tests/spark_dump.py SPARK_HOME OUT SCHEMA...
"""

from __future__ import annotations

import sys
from pathlib import Path


def dump(spark_home: Path, out: Path, schemas: list[str]) -> None:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(spark_home / "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_home}/metastore_db;create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_home}")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for schema in schemas:
            for table in spark.catalog.listTables(schema):
                frame = spark.table(f"{schema}.`{table.name}`")
                frame.coalesce(1).write.mode("overwrite").parquet(str(out / schema / table.name))
    finally:
        spark.stop()


if __name__ == "__main__":
    dump(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
