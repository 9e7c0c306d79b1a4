-- K/L spending per satker, month and spending type (jenis_belanja: the 2-digit account group
-- 51-58), against the satker's DIPA ceiling for that type, repeated on every month row.
-- A DIPA line with no payment at all in its year still appears once, in month 1, with
-- realisasi 0, so that the ceilings add up. Satker attributes are the latest master data.
-- A row's realisasi travels with it from the grouping (no join back to the grouped payments).
-- grain: tahun, bulan, kode_satker, jenis_belanja
WITH realisasi AS (
    SELECT tahun, bulan, kode_satker, LEFT(kode_akun, 2) AS jenis_belanja, SUM(nilai) AS realisasi
    FROM clean_span_sp2d
    GROUP BY tahun, bulan, kode_satker, LEFT(kode_akun, 2)
),
pagu AS (
    SELECT tahun, kode_satker, LEFT(kode_akun, 2) AS jenis_belanja, SUM(pagu) AS pagu
    FROM clean_span_dipa
    GROUP BY tahun, kode_satker, LEFT(kode_akun, 2)
),
dibayar AS (
    SELECT DISTINCT tahun, kode_satker, jenis_belanja FROM realisasi
),
baris AS (
    SELECT tahun, bulan, kode_satker, jenis_belanja, realisasi FROM realisasi
    UNION ALL
    SELECT p.tahun, 1 AS bulan, p.kode_satker, p.jenis_belanja, 0 AS realisasi
    FROM pagu AS p
    LEFT JOIN dibayar AS d
        ON d.tahun = p.tahun AND d.kode_satker = p.kode_satker
        AND d.jenis_belanja = p.jenis_belanja
    WHERE d.kode_satker IS NULL
)
SELECT
    CAST(b.tahun AS SMALLINT) AS tahun,
    CAST(b.bulan AS TINYINT) AS bulan,
    s.kode_ba,
    b.kode_satker,
    s.kode_kppn,
    s.kode_provinsi,
    s.kode_kabkota,
    b.jenis_belanja,
    CAST(COALESCE(p.pagu, 0) AS BIGINT) AS pagu,
    CAST(b.realisasi AS BIGINT) AS realisasi
FROM baris AS b
LEFT JOIN clean_span_satker AS s ON s.kode_satker = b.kode_satker
LEFT JOIN pagu AS p
    ON p.tahun = b.tahun AND p.kode_satker = b.kode_satker AND p.jenis_belanja = b.jenis_belanja
