use std::collections::BTreeMap;

use xuncha_core::enterprise::{Acceptance, EnterpriseStatus};
use xuncha_core::ident::Severity;
use xuncha_core::roster::{self, ImportOptions, ImportReport};
use xuncha_core::{Enterprise, Store};

use crate::common::{env, outbox_len, sample_store, store, write_csv};

const HEADER: &[&str] = &[
    "序号",
    "企业名称",
    "统一社会信用代码",
    "行业类别",
    "是否有环评手续（批复文号）",
    "是否验收",
    "管理类别（简化或重点）",
];

/// Imports into the sample park, as a clerk of that park would.
fn import(s: &mut Store, path: &std::path::Path) -> ImportReport {
    roster::import(s, path, &ImportOptions { park: Some("S437012".into()), ..Default::default() }).unwrap()
}

/// The roster-relevant content of every enterprise, by name, without ids.
fn roster_view(s: &Store) -> BTreeMap<String, serde_json::Value> {
    s.enterprise_ids(None)
        .unwrap()
        .into_iter()
        .map(|id| {
            let e: Enterprise = s.enterprise(id).unwrap().unwrap();
            let approvals: Vec<(String, Acceptance)> =
                e.eia_approvals.iter().map(|a| (a.doc_number.clone(), a.acceptance)).collect();
            let permits: Vec<String> = e.permits.iter().map(|p| p.number.clone()).collect();
            let contacts: Vec<(String, Option<String>)> =
                e.contacts.iter().map(|c| (c.name.clone(), c.phone.clone())).collect();
            (
                e.name.clone(),
                serde_json::json!({
                    "credit_code": e.credit_code, "industry": e.industry, "approvals": approvals,
                    "emergency": e.emergency_plan, "permits": permits, "permit_held": e.permit_held,
                    "category": e.management_category, "status": e.status, "flags": e.source_flags,
                    "legal": e.legal_representative, "address": e.address, "contacts": contacts,
                }),
            )
        })
        .collect()
}

#[test]
fn a_roster_with_a_bad_code_a_missing_name_and_an_unknown_column_imports_nothing_and_reports_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let before = (outbox_len(&s), s.enterprise_ids(None).unwrap().len());
    let mut header = HEADER.to_vec();
    header.push("邮政编码");
    let path = write_csv(
        dir.path(),
        "bad.csv",
        &[
            &header,
            &["1", "湖南甲科技有限公司", "91430426MA4QA9111", "金属制品业", "祁环评[2023]1号", "是", "登记", ""],
            &["2", "", "91430426574317699E", "金属制品业", "祁环评[2023]2号", "是", "登记", ""],
            &["3", "湖南丙科技有限公司", "", "金属制品业", "祁环评[2023]3号", "是", "登记", "421400"],
        ],
    );
    let r = import(&mut s, &path);
    assert!(!r.committed);
    let errors: Vec<_> = r.errors().map(|p| (p.row, p.column.clone().unwrap_or_default())).collect();
    assert!(errors.contains(&(1, "邮政编码".into())), "the unknown column is reported on the header row: {errors:?}");
    assert!(errors.contains(&(3, "企业名称".into())), "the nameless row is row 3: {errors:?}");
    assert!(errors.contains(&(2, "统一社会信用代码".into())), "the short code is on row 2: {errors:?}");
    let code = r.errors().find(|p| p.row == 2).unwrap();
    assert_eq!(code.value, "91430426MA4QA9111");
    assert!(code.message.contains("18位"), "{}", code.message);
    assert_eq!((outbox_len(&s), s.enterprise_ids(None).unwrap().len()), before, "nothing was written");
    assert!(s.find_enterprise("湖南丙科技有限公司").unwrap().is_none(), "not even the valid row");
}

#[test]
fn the_same_bad_roster_as_xlsx_is_refused_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let path = dir.path().join("bad.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let rows: &[&[&str]] = &[
        &["园区企业环保执行情况汇总表"],
        HEADER,
        &["1", "湖南甲科技有限公司", "91430426MA4QA9111", "金属制品业", "祁环评[2023]1号", "是", "登记"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    sheet.write_number(2, 0, 1.0).unwrap();
    wb.save(&path).unwrap();
    let r = import(&mut s, &path);
    assert!(!r.committed);
    let e = r.errors().next().unwrap();
    assert_eq!(
        (e.row, e.column.as_deref()),
        (3, Some("统一社会信用代码")),
        "rows count as the spreadsheet shows them, title row included"
    );
}

#[test]
fn a_code_that_fails_only_its_checksum_is_imported_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let path = write_csv(
        dir.path(),
        "r.csv",
        &[HEADER, &["1", "湖南早期代码有限公司", "91430426MA4QA91118", "金属制品业", "祁环评[2023]1号", "是", "登记"]],
    );
    let r = import(&mut s, &path);
    assert!(r.committed, "{:?}", r.problems);
    assert_eq!(r.created.len(), 1);
    assert!(r.problems.iter().any(|p| p.severity == Severity::Warning && p.row == 2 && p.message.contains("校验位")));
}

#[test]
fn export_then_import_into_a_fresh_store_gives_identical_data() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(&dir);
    for ext in ["xlsx", "csv"] {
        let path = dir.path().join(format!("roster.{ext}"));
        assert_eq!(roster::export(&s, &path, None).unwrap(), 50);
        let other = tempfile::tempdir().unwrap();
        let mut fresh = store(&other);
        for p in xuncha_core::sample::sample_data().parks {
            fresh.save_park(&p.park).unwrap();
        }
        let r = import(&mut fresh, &path);
        assert!(r.committed && r.errors().next().is_none(), "{ext}: {:?}", r.errors().collect::<Vec<_>>());
        assert_eq!(r.created.len(), 50);
        assert_eq!(roster_view(&fresh), roster_view(&s), "{ext} round trip");
        assert_eq!(
            roster::roster_grid(&fresh, None).unwrap(),
            roster::roster_grid(&s, None).unwrap(),
            "{ext}: the exports match cell for cell"
        );
    }
}

#[test]
fn importing_the_same_roster_again_changes_nothing_and_a_changed_cell_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let path = dir.path().join("roster.csv");
    roster::export(&s, &path, None).unwrap();
    let before = outbox_len(&s);
    let r = import(&mut s, &path);
    assert_eq!((r.created.len(), r.updated.len(), r.unchanged), (0, 0, 50));
    assert_eq!(outbox_len(&s), before, "an unchanged import records no change");
    // A clerk corrects one industry and adds a phone number.
    let mut grid = roster::read_grid(&path).unwrap();
    let row = grid.iter().position(|r| r[1] == "湖南天驰高分子新材料有限公司").unwrap();
    grid[row][3] = "橡胶和塑料制品业".into();
    grid[row][14] = "0734-6123456".into();
    let rows: Vec<Vec<&str>> = grid.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let edited = write_csv(dir.path(), "edited.csv", &rows);
    let r = import(&mut s, &edited);
    assert_eq!(r.updated.len(), 1);
    assert_eq!(r.updated[0].name, "湖南天驰高分子新材料有限公司");
    assert_eq!(r.updated[0].row, row + 1);
    assert_eq!(
        r.updated[0].fields,
        vec!["contacts", "industry", "source_flags"],
        "the empty-industry flag goes once the cell is filled"
    );
    let e = s.find_enterprise("湖南天驰高分子新材料有限公司").unwrap().unwrap();
    assert_eq!(e.contact_phone(), Some("0734-6123456"));
    assert_eq!(outbox_len(&s), before + 1);
}

#[test]
fn rows_match_existing_files_by_credit_code_before_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let path = write_csv(
        dir.path(),
        "r.csv",
        &[
            HEADER,
            &[
                "1",
                "湖南领湃新能源科技股份有限公司",
                "91430426MA4QA91117",
                "电气机械和器材制造业",
                "祁环评[2019]43号",
                "是",
                "简化",
            ],
        ],
    );
    let r = import(&mut s, &path);
    assert_eq!(r.created.len(), 0, "the renamed enterprise is the same file");
    assert_eq!(r.updated.len(), 1);
    assert!(r.updated[0].fields.contains(&"name".to_string()));
    let e = s.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    assert_eq!(e.name, "湖南领湃新能源科技股份有限公司");
    assert_eq!(e.eia_approvals.len(), 1, "the roster lists one approval now");
}

#[test]
fn continuation_rows_are_more_approvals_of_the_enterprise_above() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let path = write_csv(
        dir.path(),
        "r.csv",
        &[
            HEADER,
            &["1", "湖南续行测试有限公司", "", "金属制品业", "祁环评[2015]72号", "是", "简化"],
            &["", "", "", "", "祁环评[2015]55号", "", ""],
            &["", "", "", "", "祁环评[2016]9号", "否", ""],
            &["", "", "", "金属制品业", "祁环评[2016]10号", "", ""],
        ],
    );
    let r = import(&mut s, &path);
    assert!(!r.committed);
    let e = r.errors().next().unwrap();
    assert_eq!(e.row, 5, "a continuation row may hold only an approval and its acceptance");
    let path = write_csv(
        dir.path(),
        "ok.csv",
        &[
            HEADER,
            &["1", "湖南续行测试有限公司", "", "金属制品业", "祁环评[2015]72号", "是", "简化"],
            &["", "", "", "", "祁环评[2015]55号", "", ""],
            &["", "", "", "", "祁环评[2016]9号", "否", ""],
        ],
    );
    assert!(import(&mut s, &path).committed);
    let e = s.find_enterprise("湖南续行测试有限公司").unwrap().unwrap();
    let approvals: Vec<(&str, Acceptance)> =
        e.eia_approvals.iter().map(|a| (a.doc_number.as_str(), a.acceptance)).collect();
    assert_eq!(
        approvals,
        vec![
            ("祁环评[2015]72号", Acceptance::Done),
            ("祁环评[2015]55号", Acceptance::Done),
            ("祁环评[2016]9号", Acceptance::NotDone)
        ]
    );
}

#[test]
fn a_section_row_sets_the_status_of_the_rows_below() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let path = write_csv(
        dir.path(),
        "r.csv",
        &[
            HEADER,
            &["1", "湖南投产甲有限公司", "", "金属制品业", "祁环评[2020]1号", "是", "登记"],
            &["", "在建企业", "", "", "", "", ""],
            &["1", "湖南在建乙有限公司", "", "金属制品业", "祁环评[2020]2号", "否", "登记"],
        ],
    );
    assert!(import(&mut s, &path).committed);
    assert_eq!(s.find_enterprise("湖南投产甲有限公司").unwrap().unwrap().status, EnterpriseStatus::Operating);
    assert_eq!(s.find_enterprise("湖南在建乙有限公司").unwrap().unwrap().status, EnterpriseStatus::UnderConstruction);
}

#[test]
fn a_gbk_csv_from_excel_on_chinese_windows_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let text = "序号,企业名称,行业类别,是否有环评手续（批复文号）,管理类别（简化或重点）\r\n1,湖南编码测试有限公司,金属制品业,祁环评[2020]5号,登记\r\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    let path = dir.path().join("gbk.csv");
    std::fs::write(&path, &bytes).unwrap();
    let r = import(&mut s, &path);
    assert!(r.committed, "{:?}", r.problems);
    assert!(s.find_enterprise("湖南编码测试有限公司").unwrap().is_some());
}

#[test]
fn duplicate_rows_and_unknown_parks_are_errors_and_a_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let path = write_csv(
        dir.path(),
        "dup.csv",
        &[
            &["企业名称", "园区代码", "管理类别"],
            &["湖南重复有限公司", "S437012", "登记"],
            &["湖南重复有限公司", "S999999", "登记"],
        ],
    );
    let r = import(&mut s, &path);
    let messages: Vec<&str> = r.errors().map(|p| p.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("与第2行重复")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("S999999")), "{messages:?}");
    let ok = write_csv(
        dir.path(),
        "ok.csv",
        &[&["企业名称", "园区代码", "管理类别"], &["湖南试运行有限公司", "S437012", "登记"]],
    );
    let before = outbox_len(&s);
    let r = roster::import(&mut s, &ok, &ImportOptions { dry_run: true, ..Default::default() }).unwrap();
    assert_eq!((r.created.len(), r.committed), (1, false), "a dry run reports what it would do");
    assert_eq!(outbox_len(&s), before);
    assert!(s.find_enterprise("湖南试运行有限公司").unwrap().is_none());
}

#[test]
fn files_that_cannot_be_read_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let pdf = dir.path().join("roster.pdf");
    std::fs::write(&pdf, b"%PDF").unwrap();
    let err = roster::import(&mut s, &pdf, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, roster::RosterError::Unsupported(_)));
    assert!(err.to_string().contains("不支持的文件类型"), "{err}");
    let broken = dir.path().join("broken.xlsx");
    std::fs::write(&broken, b"not a zip").unwrap();
    let err = roster::import(&mut s, &broken, &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("无法读取文件"), "{err}");
    let noheader = write_csv(dir.path(), "h.csv", &[&["名称", "代码"], &["甲", "1"]]);
    let r = roster::import(&mut s, &noheader, &ImportOptions::default()).unwrap();
    assert!(r.errors().next().unwrap().message.contains("未找到表头"));
    let no_park = write_csv(dir.path(), "p.csv", &[&["企业名称", "管理类别"], &["湖南无园区有限公司", "登记"]]);
    let other = tempfile::tempdir().unwrap();
    let mut two_parks = sample_store(&other);
    let r = roster::import(&mut two_parks, &no_park, &ImportOptions::default()).unwrap();
    assert!(r.errors().next().unwrap().message.contains("本机有多个园区"), "{:?}", r.problems);
    let _ = env(0);
}
