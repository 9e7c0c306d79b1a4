"""Source systems: synthetic SPAN, SAKTI, MPN, TKD, subsidy and BPS extracts, and file reading.

- :func:`treasury.sources.generate.generate` writes every extract of ``docs/datasets.md`` into a
  landing zone as Parquet batches, calibrated to the public APBN figures (see ``README.md``).
- :func:`treasury.sources.files.read_extract` reads a landing file (Parquet, CSV, XLSX) as Arrow.
- :data:`treasury.sources.schemas.SCHEMAS` holds the contract schema of each extract.
- :data:`treasury.sources.scale.SCALES`: ``tiny``, ``small``, ``medium``, ``large``.

Modules: ``calibration`` (annual targets), ``profiles`` (monthly profiles), ``satker``,
``sp2d`` (payments and SPM documents), ``span`` (DIPA, posture, financing), ``mpn``, ``tkd``,
``subsidi``, ``bps``, ``generate``, ``files``.
"""
