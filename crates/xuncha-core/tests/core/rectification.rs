//! Rectification cases: the transition table, deadlines, and a case's
//! life on one laptop from notice to closure.

use chrono::NaiveDate;
use uuid::Uuid;
use xuncha_core::inspection::FindingSeverity;
use xuncha_core::rectification::{due_after, next, CaseState, EventBody, Term};
use xuncha_core::{Store, StoreError};

use crate::common::{lease, notice_request, sample_store};
use crate::notice::issuing::patrol_finding;

/// One event of every kind, with dummy content.
fn every_kind() -> Vec<(&'static str, EventBody)> {
    let id = Uuid::from_u128(1);
    let s = || String::from("x");
    let (inspection, notice, transfer) = (id.into(), id.into(), id.into());
    vec![
        ("opened", EventBody::Opened { inspection_id: inspection, findings: vec![], responsible: None }),
        ("reviewed", EventBody::Reviewed { by: s(), note: s() }),
        ("issued", EventBody::Issued { notice_id: notice, number: s(), plan_due: s() }),
        ("notice_voided", EventBody::NoticeVoided { notice_id: notice, reason: s() }),
        ("delivered", EventBody::Delivered { to: s(), on: s(), how: s() }),
        ("plan_received", EventBody::PlanReceived { on: s(), note: s(), files: vec![] }),
        ("rectified", EventBody::Rectified { on: s(), note: s(), files: vec![] }),
        ("returned", EventBody::Returned { reason: s() }),
        ("passed", EventBody::Reinspected { inspection_id: inspection, passed: true, note: s() }),
        ("failed", EventBody::Reinspected { inspection_id: inspection, passed: false, note: s() }),
        ("closed", EventBody::Closed { by: s(), note: s() }),
        ("extended", EventBody::Extended { finding_id: None, due: s(), reason: s() }),
        ("escalated", EventBody::Escalated { clue_transfer_id: transfer }),
    ]
}

#[test]
fn the_transition_table_allows_exactly_the_closed_loop() {
    use CaseState::*;
    // Written out by hand from the loop: draft → reviewed → issued
    // (delivered) → plan received → rectified → re-inspected → closed, or
    // back to the enterprise, or escalated while open.
    let allowed: &[(Option<CaseState>, &str, CaseState)] = &[
        (None, "opened", Draft),
        (Some(Draft), "reviewed", Reviewed),
        (Some(Draft), "escalated", Escalated),
        (Some(Reviewed), "issued", Issued),
        (Some(Reviewed), "escalated", Escalated),
        (Some(Issued), "notice_voided", Reviewed),
        (Some(Issued), "delivered", Issued),
        (Some(Issued), "plan_received", PlanReceived),
        (Some(Issued), "rectified", Rectified),
        (Some(Issued), "passed", Reinspected),
        (Some(Issued), "failed", Issued),
        (Some(Issued), "extended", Issued),
        (Some(Issued), "escalated", Escalated),
        (Some(PlanReceived), "delivered", PlanReceived),
        (Some(PlanReceived), "rectified", Rectified),
        (Some(PlanReceived), "passed", Reinspected),
        (Some(PlanReceived), "failed", Issued),
        (Some(PlanReceived), "extended", PlanReceived),
        (Some(PlanReceived), "escalated", Escalated),
        (Some(Rectified), "returned", Issued),
        (Some(Rectified), "passed", Reinspected),
        (Some(Rectified), "failed", Issued),
        (Some(Rectified), "extended", Rectified),
        (Some(Rectified), "escalated", Escalated),
        (Some(Reinspected), "closed", Closed),
        (Some(Reinspected), "escalated", Escalated),
    ];
    let states = [None, Some(Draft), Some(Reviewed), Some(Issued), Some(PlanReceived), Some(Rectified)]
        .into_iter()
        .chain([Some(Reinspected), Some(Closed), Some(Escalated)]);
    let mut checked = 0;
    for from in states {
        for (name, body) in every_kind() {
            let expected = allowed.iter().find(|(f, n, _)| *f == from && *n == name).map(|(_, _, to)| *to);
            match (next(from, &body), expected) {
                (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} + {name}"),
                (Err(why), None) => {
                    assert!(!why.is_empty(), "{from:?} + {name} is refused with a reason");
                    if let Some(state) = from {
                        assert!(why.contains(state.label()), "the reason names the state: {why}");
                    }
                }
                (got, want) => panic!("{from:?} + {name}: got {got:?}, the table says {want:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 9 * 13, "every state against every kind of event");
}

#[test]
fn deadlines_count_days_across_months_and_months_to_the_last_day() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(due_after(d("2026-11-22"), Term::Days(15)), d("2026-12-07"));
    assert_eq!(due_after(d("2026-12-20"), Term::Days(30)), d("2027-01-19"), "across the year");
    assert_eq!(due_after(d("2028-02-15"), Term::Days(15)), d("2028-03-01"), "2028 has 29 February");
    assert_eq!(due_after(d("2027-02-15"), Term::Days(15)), d("2027-03-02"), "2027 has not");
    assert_eq!(due_after(d("2028-01-31"), Term::Months(1)), d("2028-02-29"), "a month after 31 January, leap year");
    assert_eq!(due_after(d("2027-01-31"), Term::Months(1)), d("2027-02-28"));
    assert_eq!(due_after(d("2026-08-31"), Term::Months(3)), d("2026-11-30"));
}

fn refusal(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(problems)) => problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("；"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn issuing_a_notice_opens_its_case_reviewed_and_issued_and_needs_a_reviewer() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    lease(&dir, "notice", "祁环改");
    store.set_operator("周文");
    let signed = patrol_finding(&mut store, true, FindingSeverity::General);
    assert!(refusal(store.issue_notice(&notice_request(signed, " "))).contains("请填写审核人"));
    assert!(store.cases(&Default::default()).unwrap().is_empty(), "a refused notice opens no case");

    let mut request = notice_request(signed, "周主任");
    request.responsible = " 王厂长（13907340001） ".into();
    let n = store.issue_notice(&request).unwrap();
    let case = store.case_of_notice(n.id).unwrap().expect("the notice has its case");
    assert_eq!(case.state, CaseState::Issued);
    assert_eq!(case.responsible.as_deref(), Some("王厂长（13907340001）"), "asked when the case opened");
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let ledger =
        xuncha_core::ledger::ledger(&store, xuncha_core::ledger::LedgerKind::Rectification, None, today).unwrap();
    assert_eq!(ledger.heads[4], "责任人");
    assert_eq!(ledger.rows[0][4], "王厂长（13907340001）", "the ledger names who was asked");
    assert_eq!(case.reviewed_by.as_deref(), Some("周主任"));
    assert_eq!(case.number.as_deref(), Some("祁环改〔2026〕1号"));
    assert_eq!(case.due, "2026-12-22", "the finding's own deadline");
    let kinds: Vec<&str> = case.events.iter().map(|e| e.body.label()).collect();
    assert_eq!(kinds, ["立案", "审核", "下发整改通知书"]);
    assert!(case.events.iter().all(|e| e.recorded_by == "周文"), "each event names who recorded it");
    let queued = store.outbox().unwrap().into_iter().filter(|e| e.entity == "case_event").count();
    assert_eq!(queued, 3, "every event waits for the bureau");

    // A spoiled notice sends the case back; the next notice continues it.
    store.void_notice(n.id, "企业名称打印错误").unwrap();
    assert_eq!(store.case(case.id).unwrap().unwrap().state, CaseState::Reviewed);
    let again = store.issue_notice(&notice_request(signed, "")).unwrap();
    let continued = store.case_of_notice(again.id).unwrap().unwrap();
    assert_eq!(continued.id, case.id, "the same case, no second review needed");
    assert_eq!(continued.number.as_deref(), Some("祁环改〔2026〕2号"));
    assert_eq!(store.cases(&Default::default()).unwrap().len(), 1);
}

#[test]
fn a_case_runs_from_delivery_to_closure_and_refuses_steps_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    lease(&dir, "notice", "祁环改");
    let signed = patrol_finding(&mut store, true, FindingSeverity::General);
    let n = store.issue_notice(&notice_request(signed, "周主任")).unwrap();
    let id = store.case_of_notice(n.id).unwrap().unwrap().id;

    let close = EventBody::Closed { by: "周主任".into(), note: String::new() };
    let why = refusal(store.record_case_event(id, close.clone()));
    assert_eq!(why, "案件处于“已下发”状态，不能“销号”", "closing before re-inspection is refused");
    let bad_delivery = EventBody::Delivered { to: "".into(), on: "明天".into(), how: "当面送达".into() };
    let why = refusal(store.record_case_event(id, bad_delivery));
    assert!(why.contains("请填写签收人") && why.contains("送达日期“明天”不是日期"), "{why}");

    let delivered =
        EventBody::Delivered { to: "王厂长".into(), on: "2026-11-22".into(), how: "当面送达".into() };
    let case = store.record_case_event(id, delivered.clone()).unwrap();
    assert!(!case.steps.contains(&"delivered".to_string()), "送达 is offered once: {:?}", case.steps);
    assert!(case.steps.contains(&"rectified".to_string()), "{:?}", case.steps);
    let why = refusal(store.record_case_event(id, delivered));
    assert_eq!(why, "通知书已于2026年11月22日送达王厂长，不必再次登记送达");
    let photo = dir.path().join("整改后.jpg");
    std::fs::write(&photo, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(400, 300, 3))).unwrap();
    let finding = store.case(id).unwrap().unwrap().findings[0].finding_id;
    let evidence = store.keep_case_file(&photo, Some(finding)).unwrap();
    assert!(store.blobs().path_of(&evidence.sha256).exists(), "the file is kept before the event names it");
    let empty = EventBody::Rectified { on: "2026-11-30".into(), note: " ".into(), files: vec![] };
    assert!(refusal(store.record_case_event(id, empty)).contains("请附上整改佐证材料"));
    let rectified =
        EventBody::Rectified { on: "2026-11-30".into(), note: "已封堵混接管".into(), files: vec![evidence] };
    assert_eq!(store.record_case_event(id, rectified).unwrap().state, CaseState::Rectified);

    // The re-inspection is a signed inspection of the same enterprise.
    let draft = patrol_finding(&mut store, false, FindingSeverity::General);
    let unsigned = EventBody::Reinspected { inspection_id: draft, passed: true, note: String::new() };
    assert!(refusal(store.record_case_event(id, unsigned)).contains("复核须依据对该企业的、已签名的检查记录"));
    let again = patrol_finding(&mut store, true, FindingSeverity::General);
    let passed = EventBody::Reinspected { inspection_id: again, passed: true, note: "混接已消除".into() };
    assert_eq!(store.record_case_event(id, passed).unwrap().state, CaseState::Reinspected);
    let closed = store.record_case_event(id, close).unwrap();
    assert_eq!(closed.state, CaseState::Closed);
    assert_eq!(closed.closed_on.as_deref(), Some("2026-11-22"));
    assert!(closed.steps.is_empty(), "nothing is offered on a closed case: {:?}", closed.steps);
    // A closed problem is not reopened by a second notice, reviewer or not.
    let why = refusal(store.issue_notice(&notice_request(signed, "周主任")));
    assert!(why.contains("已在整改案件中（已销号），不能重复立案或再下发通知书"), "{why}");
    let why = refusal(store.issue_notice(&notice_request(signed, "")));
    assert!(why.contains("已销号"), "named even before the reviewer is filled in: {why}");
    assert_eq!(store.cases(&Default::default()).unwrap().len(), 1, "no second case");
    assert!(store
        .cases(&xuncha_core::store::rectification::CaseFilter { open_only: true, ..Default::default() })
        .unwrap()
        .is_empty());

    // Events are evidence: the rows refuse change.
    let conn = rusqlite::Connection::open(dir.path().join("xuncha.db")).unwrap();
    let edit = conn.execute("UPDATE case_event SET recorded = '{}'", []);
    assert!(edit.unwrap_err().to_string().contains("a case event is final"));
    assert!(conn.execute("DELETE FROM case_event", []).is_err());
}

/// A 复查 opens on the problems the enterprise was told to put right, not
/// on the whole checklist, and its record says which finding each row
/// looked at again.
#[test]
fn a_reinspection_opens_on_the_open_problems_of_the_enterprises_cases() {
    use xuncha_core::checklist::{Phrasing, RECHECK};
    use xuncha_core::inspection::{InspectionKind, InspectionState, ItemOutcome};
    use xuncha_core::store::inspection::{NewInspection, NewSignature};
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    lease(&dir, "notice", "祁环改");
    let enterprise = store.find_enterprise("91430426MA4QA91117").unwrap().unwrap().id;
    let new = NewInspection {
        enterprise_id: enterprise,
        kind: InspectionKind::Reinspection,
        inspectors: vec!["孙敏".into()],
        accompanying: None,
    };
    let before = store.start_inspection(&new).unwrap();
    assert!(before.results.iter().all(|r| r.template != RECHECK), "nothing to look at again: the checklist");
    assert!(!before.results.is_empty());

    let signed = patrol_finding(&mut store, true, FindingSeverity::General);
    let n = store.issue_notice(&notice_request(signed, "周主任")).unwrap();
    let case = store.case_of_notice(n.id).unwrap().unwrap();
    let mut again = store.start_inspection(&new).unwrap();
    assert!(again.templates.is_empty());
    let rows: Vec<(&str, &str, &str, Option<_>)> =
        again.results.iter().map(|r| (r.code.as_str(), r.text.as_str(), r.section.as_str(), r.rechecks)).collect();
    let number = format!("{}", n.number);
    assert_eq!(
        rows,
        [(
            "R1",
            "雨水排放口有黄色污水流出",
            format!("整改通知书 {number}（已下发）").as_str(),
            Some(case.findings[0].finding_id)
        )]
    );
    assert_eq!(again.results[0].phrasing, Phrasing::Rechecks);

    // Not put right is a finding to record, as a failed item is.
    again.results[0].outcome = ItemOutcome::NonCompliant;
    again.ended_at = Some(again.started_at.clone());
    again.state = InspectionState::Completed;
    let why = refusal(store.save_inspection(&again));
    assert_eq!(why, "第 R1 项“雨水排放口有黄色污水流出”判为未整改，请记录发现的问题");
    again.results[0].outcome = ItemOutcome::Compliant;
    let again = store.save_inspection(&again).unwrap();
    let png = b"\x89PNG\r\n\x1a\n drawn".to_vec();
    let s = [
        NewSignature::drawn(xuncha_core::inspection::SignerRole::Inspector, "孙敏", png),
        NewSignature::refused("王厂长", "刘某"),
    ];
    let signed_again = store.sign_inspection(again.id, again.version, &s).unwrap();
    assert_eq!(
        signed_again.record()["results"][0]["rechecks"],
        case.findings[0].finding_id.to_string(),
        "signed with the record"
    );
    assert!(store.verify_inspections().unwrap().is_empty());
}

#[test]
fn an_extension_needs_a_reason_and_a_later_date_and_moves_the_deadline_off_the_overdue_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut store: Store = sample_store(&dir);
    lease(&dir, "notice", "祁环改");
    let signed = patrol_finding(&mut store, true, FindingSeverity::General);
    let n = store.issue_notice(&notice_request(signed, "周主任")).unwrap();
    let case = store.case_of_notice(n.id).unwrap().unwrap();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert!(!case.is_overdue(d("2026-12-22")), "due on the day itself");
    assert!(case.is_overdue(d("2026-12-23")));
    assert_eq!(case.days_overdue(d("2027-01-02")), 11);
    // Read on a later day, the store says how late the case is.
    let later = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 2, 8, 0, 0).unwrap();
    let reader = Store::open(dir.path().join("xuncha.db"), xuncha_core::Env::fixed(later, 9)).unwrap();
    assert_eq!(reader.case(case.id).unwrap().unwrap().overdue_days, 11, "eleven days past 22 December");
    assert_eq!(case.overdue_days, 0, "on the day it was issued it is not late");

    let earlier =
        EventBody::Extended { finding_id: None, due: "2026-12-01".into(), reason: "设备到货延迟".into() };
    assert!(refusal(store.record_case_event(case.id, earlier)).contains("应晚于原期限 2026年12月22日"));
    let no_reason = EventBody::Extended { finding_id: None, due: "2027-01-31".into(), reason: "".into() };
    assert!(refusal(store.record_case_event(case.id, no_reason)).contains("请填写延期原因"));
    let extended =
        EventBody::Extended { finding_id: None, due: "2027-01-31".into(), reason: "设备到货延迟".into() };
    let case = store.record_case_event(case.id, extended).unwrap();
    assert_eq!(case.due, "2027-01-31");
    assert!(!case.is_overdue(d("2027-01-02")), "the extension takes it off the overdue list");
    assert_eq!(case.state, CaseState::Issued, "an extension changes no state");
}

#[test]
fn the_dashboard_counts_cases_by_park_category_and_month_and_flags_repeat_problems() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    lease(&dir, "notice", "祁环改");
    let first = patrol_finding(&mut store, true, FindingSeverity::General);
    let n = store.issue_notice(&notice_request(first, "周主任")).unwrap();
    let overdue_case = store.case_of_notice(n.id).unwrap().unwrap();
    // The same item fails again at the same enterprise on a later patrol.
    let second = patrol_finding(&mut store, true, FindingSeverity::General);
    store.issue_notice(&notice_request(second, "周主任")).unwrap();
    let other = store.find_enterprise("91430426MA4QA91117").unwrap().unwrap();

    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let board = xuncha_core::dashboard::dashboard(&store, None, d("2027-01-10")).unwrap();
    assert_eq!((board.total.open, board.total.overdue, board.total.closed), (2, 2, 0), "both past 22 December");
    assert_eq!(board.parks.len(), 1);
    assert_eq!(board.parks[0].name, "湖南祁东高新技术产业开发区");
    assert_eq!(board.categories.iter().map(|c| c.open).sum::<usize>(), 2, "each case in its category");
    let november = board.months.iter().find(|m| m.month == "2026-11").expect("the last twelve months");
    assert_eq!((november.opened, november.open_at_end), (2, 2));
    assert_eq!(board.months.len(), 12);
    assert_eq!(board.months.last().unwrap().month, "2027-01");

    assert_eq!(board.repeats.len(), 1, "one item failed twice: {:?}", board.repeats);
    let r = &board.repeats[0];
    assert_eq!((r.enterprise_id, r.times), (other.id, 2));
    assert_eq!(r.item_key, overdue_case.findings[0].item_key.clone().unwrap());
    assert!(!r.item_text.is_empty(), "the item's words are shown");

    // A case closed drops out of the open and overdue counts.
    let id = overdue_case.id;
    let passed = EventBody::Reinspected { inspection_id: second, passed: true, note: String::new() };
    store.record_case_event(id, passed).unwrap();
    store.record_case_event(id, EventBody::Closed { by: "周主任".into(), note: String::new() }).unwrap();
    let board = xuncha_core::dashboard::dashboard(&store, None, d("2027-01-10")).unwrap();
    assert_eq!((board.total.open, board.total.overdue, board.total.closed), (1, 1, 1));
}
