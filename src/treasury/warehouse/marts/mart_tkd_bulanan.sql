-- Transfers to regions per month, regional government and kind of transfer.
-- grain: tahun, bulan, kode_pemda, jenis_tkd
SELECT
    tahun,
    bulan,
    kode_pemda,
    jenis_tkd,
    CAST(SUM(nilai) AS BIGINT) AS realisasi
FROM clean_tkd_penyaluran
GROUP BY tahun, bulan, kode_pemda, jenis_tkd
