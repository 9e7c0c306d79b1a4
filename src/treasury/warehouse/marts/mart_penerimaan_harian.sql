-- State revenue received per book date, account group (3 digits) and province.
-- grain: tanggal, kode_akun_3, kode_provinsi
SELECT
    tanggal_buku AS tanggal,
    kelompok,
    LEFT(kode_akun, 3) AS kode_akun_3,
    kode_provinsi,
    CAST(SUM(nilai) AS BIGINT) AS realisasi
FROM clean_mpn_penerimaan
GROUP BY tanggal_buku, kelompok, LEFT(kode_akun, 3), kode_provinsi
