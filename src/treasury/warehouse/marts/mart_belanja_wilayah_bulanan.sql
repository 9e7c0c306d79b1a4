-- K/L spending per kab/kota (of the paying satker), month and spending type, against the DIPA
-- ceilings of the satker located there (repeated on every month row of the year).
-- grain: tahun, bulan, kode_kabkota, jenis_belanja
WITH realisasi AS (
    SELECT tahun, bulan, kode_provinsi, kode_kabkota, jenis_belanja, SUM(realisasi) AS realisasi
    FROM mart_belanja_satker_bulanan
    GROUP BY tahun, bulan, kode_provinsi, kode_kabkota, jenis_belanja
),
pagu AS (
    SELECT d.tahun, s.kode_kabkota, LEFT(d.kode_akun, 2) AS jenis_belanja, SUM(d.pagu) AS pagu
    FROM clean_span_dipa AS d
    JOIN clean_span_satker AS s ON s.kode_satker = d.kode_satker
    GROUP BY d.tahun, s.kode_kabkota, LEFT(d.kode_akun, 2)
)
SELECT
    r.tahun,
    r.bulan,
    r.kode_provinsi,
    r.kode_kabkota,
    r.jenis_belanja,
    CAST(COALESCE(p.pagu, 0) AS BIGINT) AS pagu,
    CAST(r.realisasi AS BIGINT) AS realisasi
FROM realisasi AS r
LEFT JOIN pagu AS p
    ON p.tahun = r.tahun AND p.kode_kabkota = r.kode_kabkota AND p.jenis_belanja = r.jenis_belanja
