//! Case events from two laptops that acted on one case offline: the
//! server's order decides, the late event is kept as rejected with both
//! states, and its evidence stays.

use xuncha_core::rectification::{CaseState, EventBody};
use xuncha_sync::EntityKind;

use crate::common::*;
use crate::inspections::sign_one;
use crate::notices::{issue, offices, Offices, PARK};

fn two_laptops_act_on_one_case_offline_and_the_late_event_is_kept_as_rejected_with_its_evidence(kind: Kind) {
    let Offices { db, server, ids, mut a, mut c, who_a, who_c } = offices(kind);
    let inspection = sign_one(&mut a, ids[0], db.dir(), 1);
    let notice = issue(&mut a, inspection.id).unwrap();
    let case_id = a.case_of_notice(notice.id).unwrap().unwrap().id;
    sync(&mut a, &server, &who_a);
    sync(&mut c, &server, &who_c);
    assert_eq!(c.case(case_id).unwrap().unwrap().state, CaseState::Issued, "the clerk's laptop holds the case");

    // Offline: the inspector re-inspects and closes; the clerk, not knowing,
    // records the enterprise's evidence.
    let again = sign_one(&mut a, ids[0], db.dir(), 2);
    let passed = EventBody::Reinspected { inspection_id: again.id, passed: true, note: "已整改".into() };
    a.record_case_event(case_id, passed).unwrap();
    a.record_case_event(case_id, EventBody::Closed { by: "周主任".into(), note: String::new() }).unwrap();
    let photo = db.dir().join("evidence.jpg");
    std::fs::write(&photo, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(320, 240, 9))).unwrap();
    let file = c.keep_case_file(&photo, None).unwrap();
    let rectified =
        EventBody::Rectified { on: "2026-11-22".into(), note: "企业报送".into(), files: vec![file.clone()] };
    let late = c.record_case_event(case_id, rectified).unwrap().events.last().unwrap().id;

    let ra = sync(&mut a, &server, &who_a);
    let rc = sync(&mut c, &server, &who_c);
    assert_eq!(ra.rejected + rc.rejected, 0, "the server keeps every event: {ra:?} {rc:?}");
    sync(&mut a, &server, &who_a);

    for (who, store) in [("inspector", &a), ("clerk", &c)] {
        let case = store.case(case_id).unwrap().unwrap();
        assert_eq!(case.state, CaseState::Closed, "on the {who}'s laptop the case is closed");
        assert_eq!(case.rejected, 1, "with one event kept as rejected");
        let kept = case.events.iter().find(|e| e.id == late).expect("the late event is kept");
        let verdict = kept.verdict.as_ref().expect("with the server's verdict");
        assert!(!verdict.accepted);
        assert_eq!(kept.seen, Some(CaseState::Issued), "the state its author saw");
        assert_eq!(verdict.state_at_server, Some(CaseState::Closed), "and the state the server held");
        assert_eq!(verdict.reason.as_deref(), Some("案件处于“已销号”状态，不能“企业报告整改完成”"));
        assert!(store.blobs().path_of(&file.sha256).exists(), "its evidence is on the {who}'s laptop");
    }
    // The supervisor's dashboard lists it for checking.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let board = xuncha_core::dashboard::dashboard(&a, None, today).unwrap();
    assert_eq!(board.rejected.len(), 1, "the dashboard shows the rejected event");
    assert_eq!(board.rejected[0].event.id, late);

    // The server's history is valid under the table: its accepted events,
    // in its order, fold to the same closed case.
    let mut events: Vec<xuncha_core::rectification::CaseEvent> = server
        .documents(PARK)
        .unwrap()
        .into_iter()
        .filter(|d| d.entity == EntityKind::CaseEvent)
        .map(|d| serde_json::from_value(d.doc).unwrap())
        .collect();
    assert_eq!(events.len(), 6, "opened, reviewed, issued, re-inspected, closed and the late one");
    xuncha_core::rectification::order(&mut events);
    let seqs: Vec<i64> = events.iter().map(|e| e.verdict.as_ref().unwrap().seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6], "the server numbered the case's events without gaps");
    let folded = xuncha_core::rectification::fold(events).unwrap();
    assert_eq!((folded.state, folded.rejected), (CaseState::Closed, 1));
}

on_both_backends!(two_laptops_act_on_one_case_offline_and_the_late_event_is_kept_as_rejected_with_its_evidence,);

fn a_notice_delivered_on_two_laptops_offline_is_delivered_once_and_the_second_is_kept_as_rejected(kind: Kind) {
    let Offices { db, server, ids, mut a, mut c, who_a, who_c } = offices(kind);
    let inspection = sign_one(&mut a, ids[0], db.dir(), 1);
    let notice = issue(&mut a, inspection.id).unwrap();
    let case_id = a.case_of_notice(notice.id).unwrap().unwrap().id;
    sync(&mut a, &server, &who_a);
    sync(&mut c, &server, &who_c);
    // Both laptops record the delivery they each know of.
    let delivered =
        |to: &str| EventBody::Delivered { to: to.into(), on: "2026-11-23".into(), how: "当面送达".into() };
    a.record_case_event(case_id, delivered("王厂长")).unwrap();
    let second = c.record_case_event(case_id, delivered("李主管")).unwrap().events.last().unwrap().id;
    sync(&mut a, &server, &who_a);
    sync(&mut c, &server, &who_c);
    sync(&mut a, &server, &who_a);
    for (who, store) in [("inspector", &a), ("clerk", &c)] {
        let case = store.case(case_id).unwrap().unwrap();
        assert_eq!(case.delivered.as_ref().map(|d| d.to.as_str()), Some("王厂长"), "on the {who}'s laptop");
        assert_eq!(case.rejected, 1);
        let kept = case.events.iter().find(|e| e.id == second).expect("the second delivery is kept");
        let verdict = kept.verdict.as_ref().unwrap();
        assert!(!verdict.accepted);
        assert_eq!(verdict.reason.as_deref(), Some("通知书已登记送达，同一份通知书只登记一次送达"));
    }
}

on_both_backends!(a_notice_delivered_on_two_laptops_offline_is_delivered_once_and_the_second_is_kept_as_rejected);
