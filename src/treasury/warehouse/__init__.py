"""warehouse: landing extracts in, lake tables, marts and the serving snapshot out.

- :func:`treasury.warehouse.pipeline.run_pipeline`: one run (validate, cleanse, conform, lake,
  marts, snapshot); :func:`~treasury.warehouse.pipeline.pipeline_status`,
  :func:`~treasury.warehouse.pipeline.pipeline_history`,
  :func:`~treasury.warehouse.pipeline.lake_tables`,
  :func:`~treasury.warehouse.pipeline.quarantine_summary` say what happened
- :func:`treasury.warehouse.query.run_query`: the single read path (one read-only SELECT)
- :func:`treasury.warehouse.serving.open_snapshot` / ``current_snapshot``: the serving file
- :mod:`treasury.warehouse.contracts`: the data contracts (Table Schema JSON per extract)
- :mod:`treasury.warehouse.engines`: the mart engine seam (DuckDB, Spark)

See ``README.md`` in this folder for the layers, the rules and the event codes.
"""
