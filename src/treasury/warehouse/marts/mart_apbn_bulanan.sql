-- APBN realisation per month and budget line, against the annual ceiling.
-- Realisasi: belanja K/L and BUN (accounts 51-58) from SP2D, belanja TKD from the transfers,
-- pendapatan from MPN receipts, pembiayaan (signed) from the financing transactions.
-- Pagu: the annual ceiling of span_pagu_apbn, repeated on every month row of its year
-- (take it once per year, never sum it over months). Every line of a year gets a row for every
-- month of that year that has any realisation (realisasi 0 where the line had none).
-- grain: tahun, bulan, pos, kelompok, subkelompok
WITH realisasi AS (
    SELECT tahun, bulan, pos, kelompok, subkelompok, nilai
    FROM clean_span_sp2d
    UNION ALL
    SELECT tahun, bulan, 'belanja' AS pos, 'tkd' AS kelompok, jenis_tkd AS subkelompok, nilai
    FROM clean_tkd_penyaluran
    UNION ALL
    SELECT tahun, bulan, pos, kelompok, subkelompok, nilai
    FROM clean_mpn_penerimaan
    UNION ALL
    SELECT tahun, bulan, pos, kelompok, subkelompok, nilai
    FROM clean_span_pembiayaan
),
per_bulan AS (
    SELECT tahun, bulan, pos, kelompok, subkelompok, SUM(nilai) AS realisasi
    FROM realisasi
    GROUP BY tahun, bulan, pos, kelompok, subkelompok
),
pagu AS (
    SELECT tahun, pos, kelompok, subkelompok, SUM(pagu) AS pagu
    FROM clean_span_pagu_apbn
    GROUP BY tahun, pos, kelompok, subkelompok
),
bulan AS (
    SELECT DISTINCT tahun, bulan FROM per_bulan
),
baris AS (
    SELECT tahun, pos, kelompok, subkelompok FROM pagu
    UNION
    SELECT tahun, pos, kelompok, subkelompok FROM per_bulan
)
SELECT
    CAST(b.tahun AS SMALLINT) AS tahun,
    CAST(m.bulan AS TINYINT) AS bulan,
    b.pos,
    b.kelompok,
    b.subkelompok,
    CAST(COALESCE(p.pagu, 0) AS BIGINT) AS pagu,
    CAST(COALESCE(r.realisasi, 0) AS BIGINT) AS realisasi
FROM baris AS b
JOIN bulan AS m ON m.tahun = b.tahun
LEFT JOIN pagu AS p
    ON p.tahun = b.tahun AND p.pos = b.pos AND p.kelompok = b.kelompok
    AND p.subkelompok = b.subkelompok
LEFT JOIN per_bulan AS r
    ON r.tahun = b.tahun AND r.bulan = m.bulan AND r.pos = b.pos AND r.kelompok = b.kelompok
    AND r.subkelompok = b.subkelompok
