//! Numbers, dates and list numerals as Chinese offices write them.

use xuncha_core::notice::{chinese_date, chinese_numeral, chinese_time, DocNumber};

#[test]
fn a_document_number_reads_as_gb_t_9704_writes_it() {
    let n = DocNumber { series: "notice".into(), prefix: "祁环改".into(), year: 2026, serial: 7 };
    // Hexagonal brackets, the full year, no leading zeros, no 第.
    assert_eq!(n.to_string(), "祁环改〔2026〕7号");
}

#[test]
fn dates_and_times_drop_leading_zeros() {
    assert_eq!(chinese_date("2026-05-02"), "2026年5月2日");
    assert_eq!(chinese_date("2026-11-22T09:05:00+08:00"), "2026年11月22日");
    assert_eq!(chinese_date("2026-10-10"), "2026年10月10日", "only leading zeros go");
    assert_eq!(chinese_time("2026-11-22T09:05:00+08:00"), "9时05分");
    assert_eq!(chinese_date("not a date"), "not a date", "text that is no date is shown as it is");
}

#[test]
fn list_headings_count_in_chinese_numerals() {
    let got: Vec<String> = [1, 9, 10, 11, 20, 24, 99].into_iter().map(chinese_numeral).collect();
    assert_eq!(got, ["一", "九", "十", "十一", "二十", "二十四", "九十九"]);
}

pub(crate) mod issuing {
    use xuncha_core::inspection::{Finding, FindingSeverity, InspectionKind, InspectionState, ItemOutcome, SignerRole};
    use xuncha_core::sample::notice_office as office;
    use xuncha_core::store::inspection::{NewInspection, NewSignature};
    use xuncha_core::store::notice::NewNotice;
    use xuncha_core::{Store, StoreError};

    use crate::common::sample_store;

    /// A completed patrol with one general finding, signed or not.
    fn patrol(store: &mut Store, sign: bool) -> xuncha_core::InspectionId {
        patrol_finding(store, sign, FindingSeverity::General)
    }

    /// A completed patrol with one finding of `severity`, signed or not.
    pub(crate) fn patrol_finding(
        store: &mut Store,
        sign: bool,
        severity: FindingSeverity,
    ) -> xuncha_core::InspectionId {
        let e = store.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
        let new = NewInspection {
            enterprise_id: e.id,
            kind: InspectionKind::DailyPatrol,
            inspectors: vec!["孙敏".into()],
            accompanying: None,
        };
        let mut i = store.start_inspection(&new).unwrap();
        i.results.iter_mut().for_each(|r| r.outcome = ItemOutcome::Compliant);
        i.results[0].outcome = ItemOutcome::NonCompliant;
        i.findings.push(Finding {
            id: store.new_id(),
            item_key: Some(i.results[0].key.clone()),
            found: "雨水排放口有黄色污水流出".into(),
            suggestion: "排查雨污混接".into(),
            legal_basis: None,
            severity,
            deadline: Some("2026-12-22".into()),
        });
        i.ended_at = Some(i.started_at.clone());
        i.state = InspectionState::Completed;
        let i = store.save_inspection(&i).unwrap();
        if sign {
            let png = b"\x89PNG\r\n\x1a\n drawn".to_vec();
            let s = [NewSignature::drawn(SignerRole::Inspector, "孙敏", png), NewSignature::refused("王厂长", "刘某")];
            store.sign_inspection(i.id, i.version, &s).unwrap();
        }
        i.id
    }

    fn request(inspection: xuncha_core::InspectionId) -> NewNotice {
        crate::common::notice_request(inspection, "周主任")
    }

    #[test]
    fn a_notice_needs_a_signed_inspection_a_later_plan_date_and_the_offices_contact() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(&dir);
        let draft = patrol(&mut store, false);
        let mut bad = request(draft);
        bad.plan_due = "2026-11-01".into();
        bad.office.contact = " ".into();
        bad.laws = String::new();
        let Err(StoreError::Invalid(problems)) = store.issue_notice(&bad) else {
            panic!("an unsigned record is refused")
        };
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(messages.contains(&"只能依据已签名的检查记录下发整改通知书"), "{messages:?}");
        assert!(messages.contains(&"整改方案提交期限 2026年11月1日 应晚于今天"), "{messages:?}");
        assert!(messages.contains(&"请填写联系人"), "{messages:?}");
        assert!(messages.contains(&"请填写通知书依据的法律法规及政策"), "{messages:?}");
        assert!(store.notices(None).unwrap().is_empty(), "nothing was written");
        assert_eq!(store.outbox().unwrap().iter().filter(|e| e.entity == "notice").count(), 0);
    }

    #[test]
    fn without_leased_numbers_a_laptop_refuses_to_number_a_notice() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(&dir);
        let signed = patrol(&mut store, true);
        let err = store.issue_notice(&request(signed)).unwrap_err();
        assert!(matches!(err, StoreError::NoNumbers { year: 2026, .. }), "{err:?}");
        assert!(err.to_string().contains("请联网同步领取新号段"), "{err}");
        assert!(store.notices(None).unwrap().is_empty());
        let void = store.void_next_number(store.parks().unwrap()[0].id, "notice", "纸质文书编号").unwrap_err();
        assert!(matches!(void, StoreError::NoNumbers { .. }), "a void also needs a number it holds: {void:?}");
    }

    #[test]
    fn the_office_settings_are_kept_and_todays_notices_make_the_clerks_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = sample_store(&dir);
        assert_eq!(store.notice_office().unwrap(), None, "nothing saved yet");
        store.save_notice_office(&office()).unwrap();
        drop(store);
        let mut store = Store::open(dir.path().join("xuncha.db"), crate::common::env(2)).unwrap();
        assert_eq!(store.notice_office().unwrap(), Some(office()), "the settings survive reopening");
        crate::common::lease(&dir, "notice", "祁环改");
        let (signed, later) = (patrol(&mut store, true), patrol(&mut store, true));
        let first = store.issue_notice(&request(signed)).unwrap();
        let second = store.issue_notice(&request(later)).unwrap();
        assert_eq!((first.number.serial, second.number.serial), (1, 2));
        assert_eq!(first.issued_on, "2026-11-22");
        let batch: Vec<i64> = store.notices_issued_on("2026-11-22").unwrap().iter().map(|n| n.number.serial).collect();
        assert_eq!(batch, [1, 2], "the day's notices in number order");
        assert!(store.notices_issued_on("2026-11-21").unwrap().is_empty());
    }
}
