//! The desktop app as inspectors and clerks use it, in the real webview.

use std::path::Path;

use xuncha_e2e::bureau::{Bureau, PASSWORD};
use xuncha_e2e::{wait_for_file, App, Desk};

const LINGPAI: &str = "湖南领湃新能源科技有限公司";
const SHUNLONG: &str = "湖南顺隆能源有限公司";

async fn open_lingpai(app: &App) {
    app.click("[data-nav=enterprises]").await;
    app.type_into("[data-test=search]", "领湃").await;
    app.wait_text("[data-test=count]", |t| t == "共 1 家").await;
    app.click(".el-table-v2__row").await;
    app.wait_text("[data-test=enterprise-name]", |t| t == LINGPAI).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_sample_park_search_edit_and_restart() {
    let config = tempfile::tempdir().unwrap();

    let app = App::start(config.path()).await;
    app.screenshot("01-first-run").await;
    app.click("[data-test=use-default-dir]").await;
    app.click("[data-test=load-sample]").await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;
    app.wait_text("[data-pollutant=COD]", |t| t.contains("90.59") && t.contains("300")).await;
    app.screenshot("02-park-overview").await;

    app.click("[data-nav=enterprises]").await;
    app.wait_text("[data-test=count]", |t| t.contains("共 50 家")).await;
    app.screenshot("03-enterprise-list").await;
    app.type_into("[data-test=search]", "食品").await;
    app.wait_text("[data-test=count]", |t| t == "共 7 家").await;

    open_lingpai(&app).await;
    let approvals = app.texts("[data-test=eia-doc]").await;
    assert_eq!(approvals, vec!["祁环评[2019]43号", "祁环评[2021]23号"], "both EIA approvals are shown");
    app.screenshot("04-enterprise-file").await;

    // Edit the environmental contact's phone and save.
    app.click("[data-test=edit]").await;
    app.type_into("[data-test=field-phone]", "0734-6123456").await;
    app.click("[data-test=save]").await;
    app.wait_text("[data-test=phone]", |t| t == "0734-6123456").await;

    // An invalid credit code is explained next to the field and not saved.
    app.click("[data-test=edit]").await;
    app.type_into("[data-test=field-credit_code]", "91430426MA4QA9111I").await;
    let why = app.wait_text("[data-test=problem-credit_code]", |t| t.contains("第18位")).await;
    assert!(why.contains("“I”"), "the message names the wrong character: {why}");
    app.click("[data-test=save]").await;
    app.wait_text(".el-message--error", |t| t.contains("未通过校验")).await;
    app.screenshot("05-invalid-credit-code").await;
    app.click("[data-test=cancel]").await;
    app.quit().await;

    // Restart: the data folder is remembered, the phone was saved and the bad code was not.
    let app = App::start(config.path()).await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;
    open_lingpai(&app).await;
    app.wait_text("[data-test=phone]", |t| t == "0734-6123456").await;
    let store = xuncha_core::Store::open(config.path().join("data/xuncha.db"), xuncha_core::Env::system()).unwrap();
    let saved = store.find_enterprise(LINGPAI).unwrap().unwrap();
    assert_eq!(saved.credit_code.as_deref(), Some("91430426MA4QA91117"), "the invalid code was not saved");
    assert_eq!(saved.contact_phone(), Some("0734-6123456"));
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn importing_a_roster_shows_its_report() {
    let config = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("bad.csv");
    std::fs::write(
        &bad,
        "序号,企业名称,统一社会信用代码,管理类别,园区代码\n1,湖南新入园甲有限公司,9143042657431769,登记,S437012\n2,,,登记,S437012\n",
    )
    .unwrap();
    let good = files.path().join("good.csv");
    std::fs::write(&good, "序号,企业名称,行业类别,管理类别,园区代码\n1,湖南新入园乙有限公司,金属制品业,登记,S437012\n")
        .unwrap();

    let app = App::start(config.path()).await;
    app.click("[data-test=use-default-dir]").await;
    app.click("[data-test=load-sample]").await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;

    app.click("[data-nav=roster]").await;
    app.type_into("[data-test=roster-path]", bad.to_str().unwrap()).await;
    app.click("[data-test=roster-import]").await;
    app.wait_text("[data-test=roster-result]", |t| t.contains("未导入任何数据")).await;
    let report = app.wait_text("[data-test=roster-report]", |t| t.contains("统一社会信用代码")).await;
    assert!(report.contains("9143042657431769"), "the report shows the bad value: {report}");
    assert!(report.contains("企业名称为空"), "and the row without a name: {report}");
    app.screenshot("06-roster-report").await;

    app.type_into("[data-test=roster-path]", good.to_str().unwrap()).await;
    app.click("[data-test=roster-import]").await;
    app.wait_text("[data-test=roster-result]", |t| t.contains("新增 1 家")).await;
    app.quit().await;
}

/// Every enterprise of a laptop, without the local edit counter.
fn enterprises_of(config: &Path) -> Vec<serde_json::Value> {
    let store = xuncha_core::Store::open(config.join("data/xuncha.db"), xuncha_core::Env::system()).unwrap();
    let mut ids = store.enterprise_ids(None).unwrap();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let mut doc = serde_json::to_value(store.enterprise(id).unwrap().unwrap()).unwrap();
            doc.as_object_mut().unwrap().remove("version");
            doc
        })
        .collect()
}

fn status_of(config: &Path) -> xuncha_core::sync::SyncStatus {
    let store = xuncha_core::Store::open(config.join("data/xuncha.db"), xuncha_core::Env::system()).unwrap();
    store.sync_status().unwrap()
}

async fn log_in_from_first_run(app: &App, url: &str, user: &str) {
    app.click("[data-test=use-default-dir]").await;
    app.click("[data-test=from-server]").await;
    app.type_into("[data-test=login-server]", url).await;
    app.type_into("[data-test=login-user]", user).await;
    app.type_into("[data-test=login-password]", PASSWORD).await;
    app.click("[data-test=login-submit]").await;
    app.wait_text("[data-test=enterprise-count]", |t| t.starts_with("50")).await;
    app.wait_text("[data-test=sync-health]", |t| t == "已同步").await;
}

async fn edit_lingpai(app: &App, fields: &[(&str, &str)]) {
    open_lingpai(app).await;
    app.click("[data-test=edit]").await;
    for (field, value) in fields {
        app.type_into(&format!("[data-test=field-{field}]"), value).await;
    }
    app.click("[data-test=save]").await;
    app.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 1").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_laptops_edit_offline_reconnect_and_end_identical_with_the_conflict_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let listed = Bureau::admin(&data, &["park", "load-sample"]);
    let park = listed.lines().next().unwrap().split('\t').next().unwrap().to_string();
    for (user, role) in [("sun", "supervisor"), ("qian", "steward")] {
        Bureau::admin(&data, &["user", "add", user, "--role", role]);
        Bureau::admin(&data, &["assign", user, &park]);
    }
    Bureau::admin(&data, &["series", "add", "notice", "--prefix", "祁环改", "--title", "生态环境问题整改通知书"]);
    let mut bureau = Bureau::start(&data);
    let url = bureau.url();
    let (a_dir, b_dir) = (dir.path().join("a"), dir.path().join("b"));

    // Laptop A syncs when asked; laptop B also every 2 seconds on its own.
    let desk = Desk::open().await;
    let a = desk.start(&a_dir, &[("XUNCHA_SYNC_EVERY", "3600")]).await;
    let b = desk.start(&b_dir, &[("XUNCHA_SYNC_EVERY", "2")]).await;
    log_in_from_first_run(&a, &url, "sun").await;
    log_in_from_first_run(&b, &url, "qian").await;
    let user = a.wait_text("[data-test=sync-user]", |t| !t.is_empty()).await;
    assert_eq!(user, "sun（主管） 未设姓名", "the status bar says who is logged in, and that no name is set yet");
    let numbers = a.wait_text("[data-test=sync-numbers]", |t| !t.is_empty()).await;
    assert!(
        numbers.starts_with("祁环改〔") && numbers.ends_with("〕编号余 30 个"),
        "numbers for offline notices: {numbers}"
    );
    assert!(b.texts("[data-test=sync-numbers]").await.is_empty(), "the steward's laptop leases no numbers");
    a.screenshot("10-logged-in").await;
    assert_eq!(enterprises_of(&a_dir), enterprises_of(&b_dir), "both start from the server's copy");

    // The bureau goes away; both edit the same enterprise.
    bureau.stop();
    edit_lingpai(&a, &[("legal_representative", "张三"), ("phone", "0734-6000001")]).await;
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=sync-health]", |t| t == "离线，修改保存在本机").await;
    a.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 1").await;
    a.screenshot("11-offline-edit").await;
    edit_lingpai(&b, &[("legal_representative", "李四"), ("address", "湖南省衡阳市祁东县归阳镇新材料大道8号")]).await;
    b.wait_text("[data-test=sync-health]", |t| t == "离线，修改保存在本机").await;

    // Back online: A by hand, B by itself; then A once more for B's edit.
    bureau.restart();
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 0").await;
    b.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 0").await;
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=address]", |t| t.contains("新材料大道8号")).await;
    b.wait_text("[data-test=phone]", |t| t == "0734-6000001").await;
    assert_eq!(enterprises_of(&a_dir), enterprises_of(&b_dir), "both laptops hold the same files");
    assert_eq!(status_of(&a_dir).held + status_of(&b_dir).held, 1, "one change, of the later laptop, was held");
    a.wait_text("[data-test=sync-conflicts]", |t| t == "冲突待裁决 1").await;

    // The one real conflict, both values, on the supervisor's screen.
    a.click("[data-nav=conflicts]").await;
    a.wait_text("[data-test=conflicts-waiting]", |t| t == "待裁决 1 项").await;
    // Different fields merged without a conflict: one is listed.
    a.wait_count("[data-test=conflict]", 1).await;
    assert_eq!(a.text_of("[data-test=conflict-record]").await.unwrap(), LINGPAI);
    assert_eq!(a.text_of("[data-test=conflict-field]").await.unwrap(), "法定代表人");
    let first = a.text_of("[data-test=conflict-server]").await.unwrap();
    let later = a.text_of("[data-test=conflict-laptop]").await.unwrap();
    let mut both = [first.clone(), later.clone()];
    both.sort();
    assert_eq!(both, ["张三", "李四"], "both values are shown");
    let shown = enterprises_of(&a_dir).into_iter().find(|e| e["name"] == LINGPAI).unwrap();
    assert_eq!(shown["legal_representative"], first.as_str(), "the value that arrived first stands until decided");
    a.screenshot("12-conflict-waiting").await;

    // The supervisor takes the later value; it reaches both laptops.
    a.click("[data-test=take-laptop]").await;
    a.wait_text("[data-test=conflict-state]", |t| t.contains("已定为")).await;
    b.wait_text("[data-test=legal_representative]", |t| t == later).await;
    a.click("[data-test=sync-now]").await;
    a.wait_text("[data-test=sync-health]", |t| t == "已同步").await;
    assert_eq!(enterprises_of(&a_dir), enterprises_of(&b_dir), "the decision reached both laptops");
    assert!(a.text_of("[data-test=sync-conflicts]").await.is_none(), "the status bar no longer shows a conflict");
    assert_eq!(status_of(&a_dir).conflicts_waiting, 0, "nothing waits any more");
    a.screenshot("13-conflict-decided").await;
    a.quit().await;
    b.quit().await;
}

/// Draws a stroke on a signature pad with pointer events, as a pen would.
async fn draw_signature(app: &App, pad: usize) {
    let script = "const c = document.querySelectorAll('[data-test=signature-pad]')[arguments[0]];
        const r = c.getBoundingClientRect();
        const at = (type, x, y) => c.dispatchEvent(new PointerEvent(type, { bubbles: true, pointerId: 7, clientX: r.left + x, clientY: r.top + y }));
        at('pointerdown', 30, 80);
        for (let k = 1; k <= 20; k++) at('pointermove', 30 + k * 14, 80 + Math.sin(k / 2) * 30);
        at('pointerup', 310, 80);";
    app.client.execute(script, vec![serde_json::json!(pad)]).await.expect("draw");
}

/// Today in China, for what the app shows as "today".
/// Completes the open inspection; the inspector signs and the enterprise's
/// representative refuses before a witness. Returns the digest shown.
async fn complete_and_sign_with_a_refusal(app: &App) -> String {
    complete_and_sign(app, Unanswered::Some).await
}

/// Whether a record still has items nobody answered when it is completed.
#[derive(PartialEq)]
enum Unanswered {
    Some,
    None,
}

async fn complete_and_sign(app: &App, unanswered: Unanswered) -> String {
    if unanswered == Unanswered::None {
        return sign_completed(app).await;
    }
    // Items nobody looked at keep the record open until they are answered
    // or marked not checked, for a reason that goes on the record.
    app.click("[data-test=complete-inspection]").await;
    app.wait_text("[data-test=inspection-problems]", |t| t.contains("未作答：请选择结果，或标为未检查并写明原因"))
        .await;
    app.screenshot("20-unanswered-items-keep-the-record-open").await;
    app.click("[data-test=rest-not-checked]").await;
    app.type_into(".el-message-box__input input", "车间停产，现场未开放").await;
    app.click(".el-message-box__btns .el-button--primary").await;
    app.wait_text("[data-test=progress]", |t| {
        t.starts_with("已作答") && {
            let n: Vec<&str> = t.split(['答', '/', '项']).map(str::trim).collect();
            n.len() > 2 && n[1] == n[2]
        }
    })
    .await;
    sign_completed(app).await
}

/// Completes a record with every item answered; signs as above.
async fn sign_completed(app: &App) -> String {
    app.click("[data-test=complete-inspection]").await;
    app.wait_text("[data-test=inspection-state]", |t| t == "待签名").await;
    draw_signature(app, 0).await;
    app.type_into("[data-test=rep-name]", "王厂长").await;
    app.click("[data-test=rep-refused]").await;
    app.type_into("[data-test=witness]", "园区网格员刘某").await;
    app.click("[data-test=sign-inspection]").await;
    app.wait_text("[data-test=inspection-state]", |t| t == "已签名").await;
    app.wait_text("[data-test=digest]", |t| t.len() == 64).await
}

fn today_in_china() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_steward_patrols_an_a_tier_enterprise_with_photos_from_a_card_signs_and_syncs() {
    use xuncha_photo::synth::{jpeg, scene, with_exif, Exif};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let listed = Bureau::admin(&data, &["park", "load-sample"]);
    let park = listed.lines().next().unwrap().split('\t').next().unwrap().to_string();
    Bureau::admin(&data, &["user", "add", "zhou", "--role", "steward"]);
    Bureau::admin(&data, &["assign", "zhou", &park]);
    let bureau = Bureau::start(&data);

    // A camera card: three photos turned on their side with GPS, and one
    // the phone saved as HEIC.
    let card = dir.path().join("card").join("DCIM").join("100CANON");
    std::fs::create_dir_all(&card).unwrap();
    for k in 1..=3u32 {
        let exif = Exif {
            orientation: Some(6),
            taken: Some(format!("2026:11:22 09:4{k}:00")),
            gps: Some(((26, 47, 20), b'N', (112, 7, 30), b'E')),
        };
        std::fs::write(card.join(format!("IMG_000{k}.JPG")), with_exif(&jpeg(&scene(1600, 1200, k)), &exif)).unwrap();
    }
    std::fs::write(card.join("IMG_0004.HEIC"), b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();

    let desk = Desk::open().await;
    let config = dir.path().join("laptop");
    let app = desk.start(&config, &[("XUNCHA_SYNC_EVERY", "3600")]).await;
    log_in_from_first_run(&app, &bureau.url(), "zhou").await;

    // The plan names the A-tier enterprise as never patrolled.
    app.click("[data-nav=patrol]").await;
    app.wait_text("[data-kpi=never]", |t| t == "50").await;
    app.screenshot("20-patrol-plan").await;

    // Its file shows the brief; start a daily patrol.
    app.click("[data-nav=enterprises]").await;
    app.type_into("[data-test=search]", "顺隆").await;
    app.wait_text("[data-test=count]", |t| t == "共 1 家").await;
    app.click(".el-table-v2__row").await;
    app.wait_text("[data-test=enterprise-name]", |t| t == SHUNLONG).await;
    app.wait_text("[data-test=brief]", |t| t.contains("从未巡查")).await;
    app.click("[data-test=start-inspection]").await;
    app.type_into("[data-test=start-inspectors]", "周杰").await;
    app.type_into("[data-test=start-accompanying]", "王厂长").await;
    app.click("[data-test=start-confirm]").await;
    app.wait_text("[data-test=inspection-state]", |t| t == "草稿").await;

    // Two items fail; their findings open prefilled from the checklist.
    app.click("[data-item=P1] [data-outcome=non_compliant]").await;
    app.click("[data-item=P5] [data-outcome=non_compliant]").await;
    app.click("[data-item=P3] [data-outcome=compliant]").await;
    app.wait_text("[data-test=progress]", |t| t.contains("发现问题 2 项")).await;
    app.type_into("[data-finding='0'] [data-test=finding-found]", "雨水排放口有黄色污水流出").await;
    app.type_into("[data-finding='1'] [data-test=finding-found]", "危险废物暂存间地面破损、无标识").await;

    // Photos from the card; the HEIC file is named with what to do.
    app.type_into("[data-test=photo-path]", card.parent().unwrap().to_str().unwrap()).await;
    app.click("[data-test=photo-path-import]").await;
    app.wait_text("[data-test=photo-report]", |t| t.contains("IMG_0004.HEIC") && t.contains("HEIC")).await;
    // Three photos imported.
    app.wait_count("[data-test=general-photos] [data-test=photo]", 3).await;
    app.screenshot("21-inspection-with-photos").await;

    let digest = complete_and_sign_with_a_refusal(&app).await;
    let disabled = app
        .client
        .execute("return document.querySelectorAll('[data-item=P1] input:disabled').length", vec![])
        .await
        .unwrap();
    assert!(disabled.as_u64().unwrap() > 0, "a signed inspection's checklist cannot be changed");
    app.screenshot("22-signed-and-locked").await;

    // The next patrol is due a quarter ahead.
    let due = today_in_china().checked_add_months(chrono::Months::new(3)).unwrap();
    app.click("[data-nav=patrol]").await;
    let expected = format!("{}年{}月{}日", due.format("%Y"), due.format("%-m"), due.format("%-d"));
    app.wait_text(&format!("[data-due='{SHUNLONG}']"), |t| t == expected).await;
    app.wait_text("[data-kpi=never]", |t| t == "49").await;
    app.screenshot("23-patrol-plan-after").await;

    // Sync: the server holds the record and every file, and verifies them.
    app.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 1").await;
    app.wait_text("[data-test=sync-uploads]", |t| t == "待上传文件 13").await;
    app.click("[data-test=sync-now]").await;
    app.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 0").await;
    app.wait_text("[data-test=sync-uploads]", |t| t == "待上传文件 0").await;
    let checked = Bureau::admin(&data, &["inspections", &park]);
    let line = checked.lines().find(|l| l.contains(SHUNLONG)).unwrap_or_else(|| panic!("not on the server: {checked}"));
    assert!(line.ends_with("文件13个\t完整"), "3 photos × 4 files and one signature, all verified: {line}");
    let local = xuncha_core::Store::open(config.join("data/xuncha.db"), xuncha_core::Env::system()).unwrap();
    let list = local.inspections(None, None).unwrap();
    assert_eq!(list[0].digest.map(|d| d.hex()).as_deref(), Some(digest.as_str()));
    assert_eq!(list[0].sync_state.as_deref(), Some("acknowledged"));
    app.quit().await;
}

/// Text of a PDF as poppler extracts it, without whitespace.
/// The number of pages `pdfinfo` counts; waits for the file to be written.
async fn pdf_pages(path: &Path) -> u32 {
    wait_for_file(path, std::time::Duration::from_secs(20)).await;
    let out = std::process::Command::new("pdfinfo").arg(path).output().expect("pdfinfo runs");
    let info = String::from_utf8(out.stdout).unwrap();
    let line =
        info.lines().find(|l| l.starts_with("Pages:")).unwrap_or_else(|| panic!("pdfinfo {}: {info}", path.display()));
    line["Pages:".len()..].trim().parse().unwrap()
}

/// The fonts `pdffonts` lists in a PDF, one per line.
fn pdf_fonts(path: &Path) -> String {
    let out = std::process::Command::new("pdffonts").arg(path).output().expect("pdffonts runs");
    String::from_utf8(out.stdout).unwrap()
}

fn pdf_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "{} is a PDF poppler reads", path.display());
    String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inspector_issues_a_numbered_notice_from_a_signed_patrol_prints_it_and_voids_it() {
    let dir = tempfile::tempdir().unwrap();
    let bureau = numbering_bureau(dir.path());

    let desk = Desk::open().await;
    let config = dir.path().join("laptop");
    let app = desk.start(&config, &[("XUNCHA_SYNC_EVERY", "3600")]).await;
    // Logging in runs a round, which leases this laptop's first block of numbers.
    log_in_from_first_run(&app, &bureau.url(), "wang").await;

    open_shunlong(&app).await;
    start_patrol(&app).await;
    app.click("[data-item=P1] [data-outcome=non_compliant]").await;
    app.type_into("[data-finding='0'] [data-test=finding-found]", "雨水排放口有黄色污水流出").await;
    let digest = complete_and_sign_with_a_refusal(&app).await;

    // Issue: the dialog says how many numbers are left and remembers the office.
    app.click("[data-test=issue-notice-open]").await;
    app.wait_text("[data-test=numbers-left]", |t| t.contains("剩 30 个")).await;
    fill(&app, &NOTICE_OFFICE).await;
    fill(&app, &[("office-email", "gyhb@example.cn")]).await;
    app.screenshot("30-issue-notice").await;
    app.click("[data-test=issue-notice-confirm]").await;

    let year = today_in_china().format("%Y").to_string();
    let number = format!("祁环改〔{year}〕1号");
    // Element Plus keeps a hidden copy of each column's template: aim at the rows.
    let row = "[data-test=notice-list] .el-table__row";
    app.wait_text(&format!("{row} [data-test=notice-number]"), |t| t == number).await;

    // Printing writes the PDF into the data folder's 文书 folder and shows
    // it in the window, every page drawn.
    app.click(&format!("{row} [data-test=open-notice]")).await;
    let folder = config.join("data").join("文书");
    let notice_pdf = folder.join(format!("整改通知书 {number} {SHUNLONG}.pdf"));
    let pages = pdf_pages(&notice_pdf).await;
    app.wait_text("[data-test=preview-pages]", |t| t == format!("共 {pages} 页")).await;
    let inked = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('[data-test=pdf-preview] canvas')).map(c => {
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let dark = 0;
                 for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
                 return dark;
             })",
            vec![],
        )
        .await
        .unwrap();
    let inked: Vec<u64> = serde_json::from_value(inked).unwrap();
    assert_eq!(inked.len(), pages as usize, "one drawing per page");
    assert!(inked.iter().all(|&dark| dark > 1000), "every page of the preview shows print: {inked:?}");
    app.screenshot("30b-notice-preview").await;
    app.click("[data-test=pdf-preview-close]").await;
    app.click("[data-test=print-record]").await;
    let record_pdf = folder.join(format!("现场检查记录 {SHUNLONG} {}.pdf", today_in_china().format("%Y-%m-%d")));
    wait_for_file(&record_pdf, std::time::Duration::from_secs(20)).await;
    app.wait_text("[data-test=preview-pages]", |t| t.starts_with("共")).await;
    app.click("[data-test=pdf-preview-close]").await;
    let notice = pdf_text(&notice_pdf);
    for field in [
        number.as_str(),
        "湖南顺隆能源有限公司：",
        "雨水排放口有黄色污水流出",
        "联系人：周文",
        "祁东县归阳工业园管理委员会",
    ] {
        assert!(notice.contains(field), "the printed notice shows “{field}”");
    }
    assert!(pdf_text(&record_pdf).contains(&digest), "the printed record carries the digest");
    // The window may open printed documents and nothing else.
    let refused = invoke(&app, "open_document", serde_json::json!({ "path": "/etc/passwd" })).await;
    assert_eq!(refused, "invalid", "a file outside the 文书 folder is refused");
    app.screenshot("31-notice-issued").await;

    // Voiding keeps the notice, marked, and the number is spent.
    app.click(&format!("{row} [data-test=void-notice]")).await;
    app.type_into(".el-message-box__input input", "企业名称打印错误").await;
    app.click(".el-message-box__btns .el-button--primary").await;
    app.wait_text("[data-test=notice-list]", |t| t.contains("已作废") && t.contains("企业名称打印错误")).await;

    // The same finding goes to the bureau's branch as a clue, subject unknown.
    app.click("[data-test=transfer-clue-open]").await;
    // The voided notice is not among the papers that go with it.
    app.wait_text("[data-test=transfer-materials]", |t| t.starts_with("现场检查记录") && !t.contains("通知书")).await;
    app.click("[data-test=transfer-finding]").await;
    app.wait_text("[data-test=transfer-description]", |t| t == "雨水排放口有黄色污水流出").await;
    app.click("[data-test=transfer-subject-unknown]").await;
    fill(&app, &TRANSFER_OFFICE).await;
    app.screenshot("33-transfer-clue").await;
    app.click("[data-test=transfer-clue-confirm]").await;
    let transfer_row = "[data-test=transfer-list] .el-table__row";
    app.wait_text(&format!("{transfer_row} [data-test=transfer-subject-shown]"), |t| t == "（暂不清楚）").await;

    // The office prints its titles in its own font from now on; a file that
    // is no font is refused and changes nothing.
    let fonts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts");
    let set_font =
        |path: String| invoke(&app, "set_document_font", serde_json::json!({ "role": "title", "path": path }));
    assert_eq!(set_font("/etc/hostname".into()).await, "file", "a file that is no font is refused");
    let office_font = fonts.join("FandolFang-Regular.otf").display().to_string();
    assert_eq!(set_font(office_font).await, "ok");
    app.click(&format!("{transfer_row} [data-test=open-transfer]")).await;
    app.wait_text("[data-test=preview-pages]", |t| t == "共 3 页").await;
    app.click("[data-test=pdf-preview-close]").await;
    let transfer_pdf = folder.join(format!("违法线索移交书 {SHUNLONG} {}.pdf", today_in_china().format("%Y-%m-%d")));
    wait_for_file(&transfer_pdf, std::time::Duration::from_secs(20)).await;
    let transfer = pdf_text(&transfer_pdf);
    for field in
        ["衡阳市生态环境违法线索移交书", "涉嫌违法单位或个人暂不清楚", "雨水排放口有黄色污水流出", "现场检查记录"]
    {
        assert!(transfer.contains(field), "the printed transfer shows “{field}”");
    }
    assert_eq!(transfer.matches("违法线索接收人签字").count(), 3, "three copies");
    assert!(pdf_fonts(&notice_pdf).contains("NotoSerifCJKsc-Bold"), "the notice's title was in the shipped font");
    assert!(!pdf_fonts(&transfer_pdf).contains("NotoSerifCJKsc-Bold"), "the transfer's title is in the office's font");
    app.click("[data-nav=documents]").await;
    app.wait_text("[data-test=font-title]", |t| t == "小标宋-FandolFang-Regular.otf").await;
    // The 文书 page lists every document on this laptop, the void marked.
    app.wait_text("[data-test=notice-list] .el-table__row", |t| t.contains("已作废：企业名称打印错误")).await;
    app.wait_text("[data-test=transfer-list] .el-table__row", |t| t.contains("衡阳市生态环境局祁东分局")).await;
    app.screenshot("34-document-fonts").await;

    // The notice, the void and the transfer reach the bureau with the inspection.
    app.click("[data-test=sync-now]").await;
    app.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 0").await;
    let status = status_of(&config);
    assert_eq!(status.rejected, 0, "the server took the inspection, the notice, the void and the transfer: {status:?}");
    app.screenshot("32-notice-voided-and-synced").await;
    app.quit().await;
}

/// A server with the sample park, the inspector wang assigned to it, and a
/// notice number series.
fn numbering_bureau(dir: &Path) -> Bureau {
    let data = dir.join("server");
    let listed = Bureau::admin(&data, &["park", "load-sample"]);
    let park = listed.lines().next().unwrap().split('\t').next().unwrap().to_string();
    Bureau::admin(&data, &["user", "add", "wang", "--role", "inspector"]);
    Bureau::admin(&data, &["assign", "wang", &park]);
    Bureau::admin(&data, &["series", "add", "notice", "--prefix", "祁环改", "--title", "生态环境问题整改通知书"]);
    Bureau::start(&data)
}

/// Types each value into the field of its `data-test` name.
async fn fill(app: &App, fields: &[(&str, &str)]) {
    for (field, value) in fields {
        app.type_into(&format!("[data-test={field}]"), value).await;
    }
}

/// The office settings of the sample park's notices, as a clerk types them.
const NOTICE_OFFICE: [(&str, &str); 6] = [
    ("office-issuer", "祁东县归阳工业园管理委员会"),
    ("office-inspected-by", "园区环保管家"),
    ("office-submit-to", "归阳工业园安全环保办公室"),
    ("office-contact", "周文"),
    ("office-phone", "0734-6321234"),
    ("notice-reviewed-by", "周主任"),
];

/// The sample park's clue-transfer settings, as a clerk types them.
const TRANSFER_OFFICE: [(&str, &str); 6] = [
    ("transfer-city", "衡阳市"),
    ("transfer-receiver", "衡阳市生态环境局祁东分局"),
    ("transfer-sender-phrase", "我管委会"),
    ("transfer-issuer", "祁东县归阳工业园管理委员会"),
    ("transfer-sender-name", "周文"),
    ("transfer-sender-phone", "0734-6321234"),
];

/// Opens 顺隆's file from the list.
async fn open_shunlong(app: &App) {
    app.click("[data-nav=enterprises]").await;
    app.type_into("[data-test=search]", "顺隆").await;
    app.wait_text("[data-test=count]", |t| t == "共 1 家").await;
    app.click(".el-table-v2__row").await;
    app.wait_text("[data-test=enterprise-name]", |t| t == SHUNLONG).await;
}

/// Starts a daily patrol of the open file by 王强.
async fn start_patrol(app: &App) {
    app.click("[data-test=start-inspection]").await;
    app.type_into("[data-test=start-inspectors]", "王强").await;
    app.click("[data-test=start-confirm]").await;
    app.wait_text("[data-test=inspection-state]", |t| t == "草稿").await;
}

/// Runs a command of the app from the page, as the window's own code does;
/// returns "ok" or the error's code.
async fn invoke(app: &App, command: &str, args: serde_json::Value) -> String {
    let script = format!(
        "const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke({command:?}, {args}).then(() => done('ok'), (e) => done(e.code))"
    );
    app.client.execute_async(&script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clerk_follows_a_problem_from_notice_to_closure_and_a_serious_one_to_the_bureau() {
    let dir = tempfile::tempdir().unwrap();
    let bureau = numbering_bureau(dir.path());
    let desk = Desk::open().await;
    let config = dir.path().join("laptop");
    let app = desk.start(&config, &[("XUNCHA_SYNC_EVERY", "3600")]).await;
    log_in_from_first_run(&app, &bureau.url(), "wang").await;

    // The inspector names herself once; the status bar and the case's
    // history carry the name, not the login.
    app.wait_text("[data-test=sync-no-name]", |t| t == "未设姓名").await;
    app.click("[data-test=open-name]").await;
    app.type_into("[data-test=name-input]", "吴琳").await;
    app.click("[data-test=name-submit]").await;
    app.wait_text("[data-test=sync-user]", |t| t == "吴琳（执法检查员）").await;
    app.screenshot("39-own-name").await;

    // A patrol finds a general problem and a serious one.
    open_shunlong(&app).await;
    start_patrol(&app).await;
    app.click("[data-item=P1] [data-outcome=non_compliant]").await;
    app.type_into("[data-finding='0'] [data-test=finding-found]", "雨水排放口有黄色污水流出").await;
    let before = dir.path().join("整改前.jpg");
    std::fs::write(&before, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(640, 480, 4))).unwrap();
    app.type_into("[data-finding='0'] [data-test=finding-photo-path]", before.to_str().unwrap()).await;
    app.click("[data-finding='0'] [data-test=finding-photo-import]").await;
    app.wait_count("[data-finding='0'] [data-test=photo]", 1).await;
    app.click("[data-item=P5] [data-outcome=non_compliant]").await;
    app.type_into("[data-finding='1'] [data-test=finding-found]", "夜间偷排生产废水").await;
    app.click("[data-finding='1'] [data-severity=serious]").await;
    complete_and_sign_with_a_refusal(&app).await;

    // The notice names the general problem; issuing it opens the case.
    app.click("[data-test=issue-notice-open]").await;
    app.wait_text("[data-test=numbers-left]", |t| t.contains("剩 30 个")).await;
    app.click(".el-checkbox-group > div:nth-child(2) [data-test=notice-finding]").await;
    fill(&app, &NOTICE_OFFICE).await;
    app.click("[data-test=issue-notice-confirm]").await;
    app.wait_text("[data-test=case-state]", |t| t == "已下发").await;
    app.wait_text("[data-test=cases-panel]", |t| t.contains("吴琳") && !t.contains("wang")).await;

    // The serious problem goes to the bureau's branch; its feedback comes back.
    app.click("[data-test=transfer-clue-open]").await;
    app.wait_text("[data-test=transfer-description]", |t| t == "夜间偷排生产废水").await;
    fill(&app, &TRANSFER_OFFICE).await;
    app.click("[data-test=transfer-clue-confirm]").await;
    let transfer_row = "[data-test=transfer-list] .el-table__row";
    app.wait_text(&format!("{transfer_row} [data-test=transfer-standing]"), |t| t == "待送达").await;
    app.click(&format!("{transfer_row} [data-test=transfer-news-open]")).await;
    app.click("[data-news=feedback]").await;
    app.type_into("[data-test=news-case-number]", "衡祁环罚〔2026〕8号").await;
    app.type_into("[data-test=news-result]", "已立案调查").await;
    app.click("[data-test=news-save]").await;
    app.wait_text(&format!("{transfer_row} [data-test=transfer-standing]"), |t| t == "已立案调查").await;

    // Delivery, then the enterprise's evidence with a photo.
    app.click("[data-step=delivered]").await;
    app.type_into("[data-test=step-to]", "王厂长").await;
    app.click("[data-test=step-save]").await;
    app.wait_text("[data-test=cases-panel]", |t| t.contains("送达") && t.contains("签收人：王厂长")).await;
    let photo = dir.path().join("整改后.jpg");
    std::fs::write(&photo, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(640, 480, 5))).unwrap();
    app.click("[data-step=rectified]").await;
    app.type_into("[data-test=step-file-path]", photo.to_str().unwrap()).await;
    app.click("[data-test=step-file-add]").await;
    app.wait_text("[data-test=step-file]", |t| t == "整改后.jpg").await;
    app.type_into("[data-test=step-note]", "已封堵雨污混接管").await;
    app.click("[data-test=step-save]").await;
    app.wait_text("[data-test=case-state]", |t| t == "已整改待复核").await;
    // The after photo shows (its image loads after the step is saved).
    app.wait_count("[data-test=after-photos] [data-test=blob-image]", 1).await;
    app.screenshot("40-case-rectified").await;

    // A 复查 opens on the case's open problem with its earlier photo; then
    // the case is verified and closed from the file.
    open_shunlong(&app).await;
    app.click("[data-test=start-inspection]").await;
    app.click("[data-test=inspection-kind]").await;
    app.click("[data-kind=reinspection]").await;
    app.type_into("[data-test=start-inspectors]", "王强").await;
    app.click("[data-test=start-confirm]").await;
    app.wait_text("[data-test=inspection-state]", |t| t == "草稿").await;
    app.wait_text("[data-test=checklist-group]", |t| {
        t.contains("整改通知书 祁环改") && t.contains("已整改待复核") && t.contains("雨水排放口有黄色污水流出")
    })
    .await;
    app.wait_count("[data-item]", 1).await;
    app.wait_count("[data-item=R1] [data-test=earlier-photos] [data-test=blob-image]", 1).await;
    app.screenshot("40b-reinspection-opens-on-the-open-problem").await;
    app.click("[data-item=R1] [data-outcome=compliant]").await;
    complete_and_sign(&app, Unanswered::None).await;
    open_shunlong(&app).await;
    app.click("[data-step=reinspected]").await;
    app.click("[data-test=step-inspection]").await;
    app.click(".el-select-dropdown__item").await;
    app.click("[data-test=step-save]").await;
    app.wait_text("[data-test=case-state]", |t| t == "复核通过").await;
    app.click("[data-step=closed]").await;
    app.type_into("[data-test=step-by]", "周主任").await;
    app.click("[data-test=step-save]").await;
    app.wait_text("[data-test=case-state]", |t| t == "已销号").await;
    app.screenshot("41-case-closed").await;

    // The ledgers show it, on screen and in a workbook LibreOffice opens.
    app.click("[data-nav=ledgers]").await;
    app.wait_text("[data-kpi=closed]", |t| t == "1").await;
    app.wait_text("[data-test=ledger-table]", |t| t.contains("雨水排放口有黄色污水流出") && t.contains("已销号")).await;
    app.click("[data-ledger=transfer]").await;
    app.wait_text("[data-test=ledger-table]", |t| t.contains("夜间偷排生产废水") && t.contains("已立案调查")).await;
    app.screenshot("42-ledgers").await;
    let book = dir.path().join("整改台账.xlsx");
    let args = serde_json::json!({ "kind": "rectification", "park": null, "target": book.to_str().unwrap() });
    assert_eq!(invoke(&app, "export_ledger", args).await, "ok");
    let out = dir.path().join("lo");
    let converted = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", out.join("profile").display()))
        .args(["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir"])
        .arg(&out)
        .arg(&book)
        .output()
        .expect("LibreOffice converts the workbook");
    assert!(converted.status.success());
    let csv = std::fs::read_to_string(out.join("整改台账.csv")).unwrap();
    assert!(
        csv.contains("雨水排放口有黄色污水流出") && csv.contains("已销号"),
        "the workbook holds the closed case: {csv}"
    );

    // Everything reaches the bureau: the case's events all accepted.
    app.click("[data-test=sync-now]").await;
    app.wait_text("[data-test=sync-pending]", |t| t == "待发送修改 0").await;
    assert_eq!(status_of(&config).rejected, 0, "the server took every record");
    app.quit().await;
}
