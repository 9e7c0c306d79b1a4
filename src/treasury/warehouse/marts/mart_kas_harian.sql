-- Daily cash flow of the treasury single account (Rekening Kas Umum Negara).
-- penerimaan: revenue receipts (MPN, by book date) + financing receipts (positive amounts);
-- pengeluaran: SP2D payments + TKD transfers + financing outflows (negative amounts, as positive).
-- Dana Desa is part of the TKD transfers (tkd_dana_desa details them per village): counted once.
-- saldo: running balance from an opening balance of 0 on the first day in the lake. The
-- extracts carry no account balance, so saldo is the net cash position accumulated since then,
-- not the Bank Indonesia balance; add that balance as a source to make it absolute.
-- grain: tanggal
WITH arus AS (
    SELECT tanggal_buku AS tanggal, nilai AS masuk, CAST(0 AS BIGINT) AS keluar
    FROM clean_mpn_penerimaan
    UNION ALL
    SELECT tanggal,
        CASE WHEN nilai > 0 THEN nilai ELSE 0 END AS masuk,
        CASE WHEN nilai < 0 THEN -nilai ELSE 0 END AS keluar
    FROM clean_span_pembiayaan
    UNION ALL
    SELECT tanggal_sp2d AS tanggal, CAST(0 AS BIGINT) AS masuk, nilai AS keluar
    FROM clean_span_sp2d
    UNION ALL
    SELECT tanggal_salur AS tanggal, CAST(0 AS BIGINT) AS masuk, nilai AS keluar
    FROM clean_tkd_penyaluran
),
harian AS (
    SELECT tanggal, SUM(masuk) AS penerimaan, SUM(keluar) AS pengeluaran
    FROM arus
    GROUP BY tanggal
)
SELECT
    tanggal,
    CAST(penerimaan AS BIGINT) AS penerimaan,
    CAST(pengeluaran AS BIGINT) AS pengeluaran,
    CAST(
        SUM(penerimaan - pengeluaran) OVER (
            ORDER BY tanggal ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS BIGINT
    ) AS saldo
FROM harian
