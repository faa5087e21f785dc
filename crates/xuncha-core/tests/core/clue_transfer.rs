//! Clue transfers: made from signed inspections, filled in from the record,
//! numbered only when asked, and final once made.

use xuncha_core::inspection::FindingSeverity;
use xuncha_core::sample::transfer_office;
use xuncha_core::{Store, StoreError};

use crate::common::{lease, notice_request, sample_store};
use crate::notice::issuing::patrol_finding;

#[test]
fn the_draft_names_the_serious_findings_the_enterprise_and_the_papers_that_go_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    store.save_transfer_office(&transfer_office()).unwrap();
    lease(&dir, "notice", "祁环改");
    let signed = patrol_finding(&mut store, true, FindingSeverity::Serious);
    let notice = store.issue_notice(&notice_request(signed, "周主任")).unwrap();
    let i = store.inspection(signed).unwrap().unwrap();
    let draft = store.clue_transfer_draft(signed, &[]).unwrap();
    assert_eq!(draft.finding_ids, [i.findings[0].id], "by default the serious findings go");
    assert_eq!(draft.description, "雨水排放口有黄色污水流出", "described as found on site");
    assert_eq!(draft.subject.as_deref(), Some("湖南领湃新能源科技有限公司"), "the inspected enterprise is the subject");
    assert_eq!(
        draft.materials,
        ["现场检查记录（2026年11月22日）".to_string(), format!("生态环境问题整改通知书（{}）", notice.number)],
        "the record and the notice issued from it go with the form"
    );
    assert_eq!(draft.office, transfer_office(), "the office's saved settings are filled in");
    store.void_notice(notice.id, "企业名称打印错误").unwrap();
    let redrawn = store.clue_transfer_draft(signed, &[]).unwrap();
    assert_eq!(redrawn.materials.len(), 1, "a voided notice does not go with the form: {:?}", redrawn.materials);
}

#[test]
fn a_transfer_needs_a_signed_record_a_finding_a_description_and_the_offices_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let unsigned = patrol_finding(&mut store, false, FindingSeverity::Serious);
    let mut bad = store.clue_transfer_draft(unsigned, &[]).unwrap();
    bad.description = " ".into();
    bad.materials.push(String::new());
    bad.subject = Some(String::new());
    let Err(StoreError::Invalid(problems)) = store.transfer_clue(&bad) else { panic!("a bad transfer is refused") };
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    for expected in [
        "只能依据已签名的检查记录移交违法线索",
        "请填写违法行为线索简要描述",
        "第2项材料名称为空",
        "涉嫌违法的单位或个人名称为空；暂不清楚时请选择“暂不清楚”",
        "请填写接收单位",
        "请填写移交人",
    ] {
        assert!(messages.contains(&expected), "“{expected}” is among {messages:?}");
    }
    let signed = patrol_finding(&mut store, true, FindingSeverity::General);
    let mut other = store.clue_transfer_draft(signed, &[]).unwrap();
    other.office = transfer_office();
    let Err(StoreError::Invalid(problems)) = store.transfer_clue(&other) else { panic!("no finding, no transfer") };
    assert_eq!(problems[0].message, "请至少选择一个移交的问题", "a general finding is not transferred by default");
    other.finding_ids = vec![uuid::Uuid::from_u128(7).into()];
    let Err(StoreError::Invalid(problems)) = store.transfer_clue(&other) else { panic!("a stranger's finding") };
    assert_eq!(problems[0].message, "所选问题不全属于这份检查记录");
    assert!(store.clue_transfers(None).unwrap().is_empty(), "nothing was written");
    assert!(!store.outbox().unwrap().iter().any(|e| e.entity == "clue_transfer"), "and nothing queued");
}

#[test]
fn a_transfer_is_stored_once_queued_for_the_bureau_and_never_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let signed = patrol_finding(&mut store, true, FindingSeverity::Serious);
    let mut new = store.clue_transfer_draft(signed, &[]).unwrap();
    new.office = transfer_office();
    new.subject = None;
    let t = store.transfer_clue(&new).unwrap();
    assert_eq!((t.number.as_ref(), t.subject.as_ref()), (None, None), "unnumbered, subject unknown");
    assert_eq!(t.transferred_on, "2026-11-22");
    let queued: Vec<_> = store.outbox().unwrap().into_iter().filter(|e| e.entity == "clue_transfer").collect();
    assert_eq!(queued.len(), 1, "one outbox entry");
    assert_eq!(queued[0].payload["op"], "create");
    assert_eq!(queued[0].payload["fields"]["description"], "雨水排放口有黄色污水流出");

    let conn = rusqlite::Connection::open(dir.path().join("xuncha.db")).unwrap();
    let edit = conn.execute("UPDATE clue_transfer SET transferred_on = '2026-01-01'", []);
    assert!(edit.unwrap_err().to_string().contains("a clue transfer is final"), "the row refuses changes");
    assert!(conn.execute("DELETE FROM clue_transfer", []).is_err(), "and deletion");
    drop(conn);

    // An office that numbers its transfers takes the next number of its own
    // series; without a block it is refused like a notice.
    new.series = Some("transfer".into());
    assert!(matches!(store.transfer_clue(&new), Err(StoreError::NoNumbers { .. })));
    lease(&dir, "transfer", "祁园移");
    let numbered = store.transfer_clue(&new).unwrap();
    assert_eq!(numbered.number.map(|n| n.to_string()).as_deref(), Some("祁园移〔2026〕1号"));
    assert_eq!(store.clue_transfers(None).unwrap().len(), 2);

    drop(store);
    let store = Store::open(dir.path().join("xuncha.db"), crate::common::env(3)).unwrap();
    assert_eq!(store.clue_transfer(t.id).unwrap(), Some(t), "the record survives reopening unchanged");
    assert_eq!(store.transfer_office().unwrap(), None, "settings are saved only when asked");
}

#[test]
fn the_bureaus_feedback_and_the_parks_follow_up_are_recorded_beside_the_transfer() {
    use xuncha_core::clue_transfer::TransferNews;
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let signed = patrol_finding(&mut store, true, FindingSeverity::Serious);
    let mut new = store.clue_transfer_draft(signed, &[]).unwrap();
    new.office = transfer_office();
    let t = store.transfer_clue(&new).unwrap();
    assert_eq!(store.transfer_file(t.id).unwrap().unwrap().standing(), "待送达");

    let bad =
        TransferNews::Feedback { filed: true, case_number: None, result: " ".into(), closed_on: Some("下月".into()) };
    let Err(StoreError::Invalid(problems)) = store.record_transfer_news(t.id, bad) else { panic!("refused") };
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages, ["请填写执法部门的处理情况", "结案日期“下月”不是日期（YYYY-MM-DD）"]);

    store.set_operator("周文");
    let delivered =
        TransferNews::Delivered { to: "陈刚".into(), on: "2026-11-23".into(), how: "当面送达".into() };
    assert_eq!(store.record_transfer_news(t.id, delivered).unwrap().standing(), "已送达，待反馈");
    let filed = TransferNews::Feedback {
        filed: true,
        case_number: Some("衡祁环罚〔2026〕8号".into()),
        result: "已立案调查".into(),
        closed_on: None,
    };
    assert_eq!(store.record_transfer_news(t.id, filed).unwrap().standing(), "已立案调查");
    let closed = TransferNews::Feedback {
        filed: true,
        case_number: Some("衡祁环罚〔2026〕8号".into()),
        result: "罚款五万元，责令改正".into(),
        closed_on: Some("2026-12-20".into()),
    };
    assert_eq!(store.record_transfer_news(t.id, closed).unwrap().standing(), "执法部门已结案");
    let followed = TransferNews::FollowUp { on: "2027-01-05".into(), note: "复查已整改".into(), rectified: true };
    let file = store.record_transfer_news(t.id, followed).unwrap();
    assert_eq!(file.standing(), "企业已整改");
    assert_eq!(file.updates.len(), 4, "every piece of news is kept, in order");
    assert!(file.updates.iter().all(|u| u.recorded_by == "周文"));
    assert_eq!(file.transfer, t, "the transfer itself is unchanged");
    let queued = store.outbox().unwrap().into_iter().filter(|e| e.entity == "transfer_update").count();
    assert_eq!(queued, 4, "each goes to the bureau");
}
