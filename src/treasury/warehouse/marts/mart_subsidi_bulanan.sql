-- Subsidy payments per month, program and province, with the volume delivered.
-- grain: tahun, bulan, program, kode_provinsi
SELECT
    tahun,
    bulan,
    program,
    kode_provinsi,
    SUM(volume) AS volume,
    CAST(SUM(nilai) AS BIGINT) AS realisasi
FROM clean_subsidi_realisasi
GROUP BY tahun, bulan, program, kode_provinsi
