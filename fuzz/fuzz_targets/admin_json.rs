//! The admin API's license import (`manage::licenses::parse_import`, JSON and CSV): any bytes
//! parse or are refused without a panic, never into more records than the input has bytes; and
//! whatever the export writes (`to_csv`, or JSON) imports back field for field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licensd::manage::licenses::{ExportRecord, Format, ImportRecord, parse_import, to_csv};

type Row = (String, String, Option<i64>, Option<i64>, Option<i64>, String);

fuzz_target!(|input: (&[u8], Vec<Row>)| {
    let (data, rows) = input;
    for format in [Format::Json, Format::Csv] {
        if let Ok(records) = parse_import(format, data) {
            assert!(records.len() <= data.len());
        }
    }
    let records: Vec<ExportRecord> = rows.into_iter().map(export_record).collect();
    if let Ok(csv) = to_csv(&records) {
        assert_same(&records, &parse_import(Format::Csv, csv.as_bytes()).expect("own CSV imports"));
    }
    let json = serde_json::to_vec(&records).expect("records serialize");
    assert_same(&records, &parse_import(Format::Json, &json).expect("own JSON imports"));
});

fn export_record((key, plan, duration_secs, expires_at, max_activations, note): Row) -> ExportRecord {
    ExportRecord {
        key,
        app: "app".into(),
        plan,
        duration_secs,
        expires_at,
        max_activations,
        activations: 0,
        banned_reason: None,
        note,
        reseller: None,
        discord_user_id: None,
        used_at: None,
        created_at: 0,
    }
}

fn assert_same(exported: &[ExportRecord], imported: &[ImportRecord]) {
    assert_eq!(exported.len(), imported.len());
    for (e, i) in exported.iter().zip(imported) {
        assert_eq!(e.key, i.key);
        assert_eq!(e.plan, i.plan.clone().unwrap_or_default());
        assert_eq!(
            (e.duration_secs, e.expires_at, e.max_activations),
            (i.duration_secs, i.expires_at, i.max_activations)
        );
        assert_eq!(e.note, i.note.clone().unwrap_or_default());
    }
}
