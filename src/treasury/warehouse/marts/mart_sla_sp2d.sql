-- Service level of SP2D issuance: minutes from the SPM upload to the SP2D, counting service
-- hours only (Monday to Friday, 08:00-16:00 local time; public holidays are not excluded).
-- dalam_sla: the SP2D came within 60 service minutes. SPMs not yet paid are left out.
-- Service minutes are counted on a clock that only runs in service hours: for a timestamp,
-- 480 minutes per weekday since Monday 1970-01-05 plus the clamped minutes of its own day.
-- grain: nomor_spm
-- order: none (one row per SPM, already in upload-month order; sorting costs more than it saves)
WITH waktu AS (
    SELECT
        nomor_sp2d,
        nomor_spm,
        kode_kppn,
        waktu_unggah,
        waktu_sp2d,
        date_diff('day', DATE '1970-01-05', CAST(waktu_unggah AS DATE)) AS hari_u,
        EXTRACT(HOUR FROM waktu_unggah) * 60 + EXTRACT(MINUTE FROM waktu_unggah) AS menit_u,
        date_diff('day', DATE '1970-01-05', CAST(waktu_sp2d AS DATE)) AS hari_s,
        EXTRACT(HOUR FROM waktu_sp2d) * 60 + EXTRACT(MINUTE FROM waktu_sp2d) AS menit_s
    FROM clean_sakti_spm
    WHERE nomor_sp2d IS NOT NULL AND waktu_sp2d IS NOT NULL
),
jam_layanan AS (
    SELECT
        nomor_sp2d,
        nomor_spm,
        kode_kppn,
        waktu_unggah,
        waktu_sp2d,
        480 * (5 * (hari_u // 7) + LEAST(hari_u % 7, 5))
            + CASE WHEN hari_u % 7 < 5 THEN LEAST(GREATEST(menit_u, 480), 960) - 480 ELSE 0 END
            AS jam_u,
        480 * (5 * (hari_s // 7) + LEAST(hari_s % 7, 5))
            + CASE WHEN hari_s % 7 < 5 THEN LEAST(GREATEST(menit_s, 480), 960) - 480 ELSE 0 END
            AS jam_s
    FROM waktu
)
SELECT
    nomor_sp2d,
    nomor_spm,
    kode_kppn,
    waktu_unggah AS waktu_unggah_spm,
    waktu_sp2d,
    CAST(jam_s - jam_u AS INTEGER) AS menit,
    jam_s - jam_u <= 60 AS dalam_sla
FROM jam_layanan
