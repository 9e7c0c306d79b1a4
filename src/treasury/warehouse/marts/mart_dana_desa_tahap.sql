-- Dana Desa per village and disbursement stage, with the transfer date.
-- grain: tahun, kode_desa, tahap
SELECT
    tahun,
    kode_desa,
    tahap,
    CAST(SUM(nilai) AS BIGINT) AS realisasi,
    MAX(tanggal_salur) AS tanggal_salur
FROM clean_tkd_dana_desa
GROUP BY tahun, kode_desa, tahap
