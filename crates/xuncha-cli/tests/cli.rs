//! The `xuncha` binary as clerks and scripts use it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

#[path = "cli/crash.rs"]
mod crash;
#[path = "cli/people.rs"]
mod people;
#[path = "cli/server.rs"]
mod server;

fn xuncha(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xuncha")).arg("--db").arg(db).args(args).output().unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "xuncha failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn sample_db(dir: &tempfile::TempDir) -> PathBuf {
    let db = dir.path().join("x.db");
    let said = ok(xuncha(&db, &["init", "--sample"]));
    assert!(said.contains("50家企业"), "{said}");
    db
}

#[test]
fn init_sample_then_search_finds_lingpai_with_both_approvals() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let hits: Value = serde_json::from_str(&ok(xuncha(&db, &["search", "领湃", "--json"]))).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit["name"], "湖南领湃新能源科技有限公司");
    assert_eq!(hit["credit_code"], "91430426MA4QA91117");
    assert_eq!(hit["park"], "湖南祁东高新技术产业开发区");
    assert_eq!(hit["tier"], "B", "简化 means tier B");
    let id = hit["id"].as_str().unwrap();
    for key in [id, "91430426MA4QA91117"] {
        let shown: Value = serde_json::from_str(&ok(xuncha(&db, &["enterprise", "show", key, "--json"]))).unwrap();
        let approvals: Vec<&str> = shown["enterprise"]["eia_approvals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["doc_number"].as_str().unwrap())
            .collect();
        assert_eq!(approvals, vec!["祁环评[2019]43号", "祁环评[2021]23号"]);
    }
    let human = ok(xuncha(&db, &["enterprise", "show", "91430426MA4QA91117"]));
    assert!(human.contains("祁环评[2021]23号") && human.contains("B类"), "{human}");
}

#[test]
fn search_by_fragment_and_by_industry() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let hits: Value = serde_json::from_str(&ok(xuncha(&db, &["search", "食品", "--json"]))).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 7);
    assert!(hits.as_array().unwrap().iter().all(|h| h["name"].as_str().unwrap().contains("食品")));
    let by_industry: Value =
        serde_json::from_str(&ok(xuncha(&db, &["search", "--industry", "食品制造业", "--json"]))).unwrap();
    let names: Vec<&str> = by_industry.as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 6);
    assert!(names.contains(&"祁东县泰豪科技发展有限公司"), "its industry is 食品制造业 though its name has no 食品");
    let human = ok(xuncha(&db, &["search", "食品"]));
    assert!(human.contains("共7家"), "{human}");
}

#[test]
fn a_bad_roster_is_refused_with_a_row_by_row_report_and_nothing_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let roster = dir.path().join("bad.csv");
    std::fs::write(
        &roster,
        "序号,企业名称,统一社会信用代码,管理类别,邮编\n1,湖南新入园甲有限公司,9143042657431769,登记,421400\n2,,91430426574317699E,登记,421400\n3,湖南新入园乙有限公司,,登记,421400\n",
    )
    .unwrap();
    let out = xuncha(&db, &["import", roster.to_str().unwrap(), "--park", "S437012"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("未导入任何数据"), "{stderr}");
    let report = String::from_utf8_lossy(&out.stdout);
    for expected in ["1\t邮编", "2\t统一社会信用代码\t9143042657431769\t错误", "3\t企业名称"] {
        assert!(report.contains(expected), "the report names row and column ({expected}):\n{report}");
    }
    let found: Value = serde_json::from_str(&ok(xuncha(&db, &["search", "新入园", "--json"]))).unwrap();
    assert!(found.as_array().unwrap().is_empty(), "nothing was imported");
}

/// A failure under `--json` as scripts read it: the shared code and the
/// Chinese message on standard error, and the exit status of that code.
fn json_failure(out: Output) -> (i32, Value) {
    let err: Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("stderr is one JSON error ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), err)
}

#[test]
fn json_failures_carry_the_shared_code_and_the_status_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    let (status, err) = json_failure(xuncha(&dir.path().join("none.db"), &["search", "领湃", "--json"]));
    assert_eq!((status, err["code"].as_str()), (2, Some("no_data_folder")), "{err}");
    assert!(err["message"].as_str().unwrap().contains("请先运行"), "{err}");

    let db = sample_db(&dir);
    let (status, err) = json_failure(xuncha(&db, &["--json", "enterprise", "show", "91430426MA4QA9111X"]));
    assert_eq!((status, err["code"].as_str()), (4, Some("not_found")), "{err}");
    assert!(err["message"].as_str().unwrap().contains("未找到企业"), "{err}");
    let (status, err) = json_failure(xuncha(&db, &["search", "--tier", "D", "--json"]));
    assert_eq!((status, err["code"].as_str()), (3, Some("invalid")), "{err}");

    // A rejected roster: the report on standard output, the refusal beside it.
    let roster = dir.path().join("名录.csv");
    std::fs::write(&roster, "序号,企业名称,统一社会信用代码,管理类别\n1,,91430426574317699E,登记\n").unwrap();
    let out = xuncha(&db, &["import", roster.to_str().unwrap(), "--park", "S437012", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["problems"].as_array().unwrap().iter().any(|p| p["severity"] == "error"), "{report}");
    let (status, err) = json_failure(out);
    assert_eq!((status, err["code"].as_str()), (3, Some("invalid")), "{err}");

    // Without --json the same failure is one Chinese line.
    let out = xuncha(&db, &["enterprise", "show", "91430426MA4QA9111X"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("错误：未找到企业"));
}

#[test]
fn export_then_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let file = dir.path().join("名录.xlsx");
    assert!(ok(xuncha(&db, &["export", file.to_str().unwrap()])).contains("已导出50家企业"));
    let said = ok(xuncha(&db, &["import", file.to_str().unwrap()]));
    assert!(said.contains("新增0家，更新0家，无变化50家"), "{said}");
}

#[test]
fn errors_go_to_stderr_with_a_failing_status() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let out = xuncha(&missing, &["search", "领湃"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不存在，请先运行"));
    let db = sample_db(&dir);
    let out = xuncha(&db, &["enterprise", "show", "91430426MA4QA9111X"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未找到企业"));
    let out = xuncha(&db, &["search", "--tier", "D"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("巡查类别“D”应为A、B或C"));
}

/// Kills an import at several moments: each time the store holds either
/// the whole roster or none of it, with one outbox entry per enterprise.
#[test]
fn an_import_killed_at_any_moment_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let grid = xuncha_core::synth::roster_grid(3000, &["S437012".to_string()], 11);
    let roster = dir.path().join("big.csv");
    let mut w = csv::Writer::from_path(&roster).unwrap();
    for row in &grid {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
    // Time one whole import, then kill others at fractions of that time.
    let timing = tempfile::tempdir().unwrap();
    let db = sample_db(&timing);
    let started = std::time::Instant::now();
    ok(xuncha(&db, &["import", roster.to_str().unwrap()]));
    let whole = started.elapsed().as_millis() as u64;
    let mut outcomes = Vec::new();
    for delay_ms in [0, whole / 10, whole * 3 / 10, whole / 2, whole * 7 / 10, whole * 9 / 10, whole * 3] {
        let case = tempfile::tempdir().unwrap();
        let db = sample_db(&case);
        let mut child = Command::new(env!("CARGO_BIN_EXE_xuncha"))
            .arg("--db")
            .arg(&db)
            .args(["import", roster.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let store = xuncha_core::Store::open(&db, xuncha_core::Env::system()).unwrap();
        let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
        let enterprises = store.enterprise_ids(None).unwrap().len() - 50;
        let outbox = store.outbox().unwrap();
        assert!(enterprises == 0 || enterprises == 3000, "killed after {delay_ms} ms: {enterprises} of 3000 imported");
        assert_eq!(outbox.len(), 60 + enterprises, "one outbox entry per imported enterprise");
        assert!(outbox.iter().enumerate().all(|(i, e)| e.seq == i as i64 + 1), "dense sequence");
        outcomes.push(enterprises);
    }
    assert!(outcomes.contains(&0), "at least one kill landed before the commit: {outcomes:?}");
    assert!(outcomes.contains(&3000), "and one after it: {outcomes:?}");
}

#[test]
fn the_benchmark_runs_on_a_small_store_and_finds_every_exact_code() {
    let out = Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .args(["bench", "--enterprises", "300", "--parks", "3", "--queries", "30", "--json"])
        .output()
        .unwrap();
    let results: Value = serde_json::from_str(&ok(out)).unwrap();
    assert_eq!(results["enterprises"], 300);
    let classes = results["search"].as_array().unwrap();
    assert_eq!(classes.len(), 3);
    let exact = &classes[2];
    assert!(exact["mean_hits"].as_f64().unwrap() >= 1.0, "every exact code finds its enterprise: {exact}");
    for c in classes {
        assert!(c["p95_us"].as_u64().unwrap() >= c["p50_us"].as_u64().unwrap());
    }
}

#[test]
fn patrol_due_lists_the_park_with_counts_compliance_and_screenings() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let park = "湖南祁东高新技术产业开发区";
    let json = ok(xuncha(&db, &["patrol", "due", "--park", park, "--today", "2026-11-22", "--json"]));
    let plans: serde_json::Value = serde_json::from_str(&json).unwrap();
    let plan = &plans[0];
    assert_eq!(plan["enterprises"].as_array().unwrap().len(), 50, "every enterprise of the park is planned");
    assert_eq!(plan["never"], 50, "nobody has been patrolled yet");
    assert_eq!(plan["screenings"], 0);
    assert_eq!(plan["screenings_required"], 2);
    let shunlong =
        plan["enterprises"].as_array().unwrap().iter().find(|e| e["name"] == "湖南顺隆能源有限公司").unwrap();
    assert_eq!(shunlong["tier"], "A");
    let text = ok(xuncha(&db, &["patrol", "due", "--park", park, "--today", "2026-11-22"]));
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("湖南祁东高新技术产业开发区（截至2026年11月22日）：逾期0家，从未巡查50家，30天内到期0家")
    );
    assert!(lines.next().unwrap().contains("园区全面排查：0次（每年至少2次）"), "{text}");
    assert!(text.contains("湖南顺隆能源有限公司\tA类\t从未巡查"), "{text}");
    let out = xuncha(&db, &["patrol", "due", "--today", "2026-13-01"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("日期“2026-13-01”格式不对"));
}

#[test]
fn a_supervisor_changes_a_tier_only_with_a_reason_and_attaches_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let out = xuncha(&db, &["enterprise", "tier", "湖南领湃新能源科技有限公司", "A"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("必须用 --reason 填写理由"));
    let said = ok(xuncha(
        &db,
        &["enterprise", "tier", "湖南领湃新能源科技有限公司", "A", "--reason", "锂电池生产，环境风险较高"],
    ));
    assert!(said.contains("A类"), "{said}");
    let hits: Value = serde_json::from_str(&ok(xuncha(&db, &["search", "--tier", "A", "--json"]))).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 2, "顺隆 by its category and 领湃 by the override");
    let scan = dir.path().join("验收意见.pdf");
    std::fs::write(&scan, b"%PDF scan").unwrap();
    let said = ok(xuncha(&db, &["enterprise", "attach", "91430426MA4QA91117", "3", scan.to_str().unwrap()]));
    assert!(said.contains("档案第3项"), "{said}");
    let shown: Value =
        serde_json::from_str(&ok(xuncha(&db, &["enterprise", "show", "91430426MA4QA91117", "--json"]))).unwrap();
    let item = &shown["enterprise"]["archive"][2];
    assert_eq!(item["on_file"], true);
    assert_eq!(item["attachments"][0]["file_name"], "验收意见.pdf");
}

/// The bureau server built next to this binary (the workspace build makes both).
fn server_binary() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_xuncha")).with_file_name("xuncha-server");
    assert!(path.exists(), "{} is missing: build the workspace first (cargo build --workspace)", path.display());
    path
}

#[test]
fn login_and_sync_report_what_was_pushed_and_pulled() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = server_binary();
    let admin = |args: &[&str]| {
        let out = Command::new(&server)
            .arg("--data")
            .arg(&data)
            .args(args)
            .env("XUNCHA_PASSWORD", "clerk-secret-1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let park = admin(&["park", "load-sample"]).lines().next().unwrap().split('\t').next().unwrap().to_string();
    admin(&["user", "add", "wang", "--role", "clerk"]);
    admin(&["assign", "wang", &park]);
    admin(&["series", "add", "notice", "--prefix", "祁环改", "--title", "生态环境问题整改通知书"]);
    let mut child = Command::new(&server)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stderr.take().unwrap()), &mut line).unwrap();
    let url = line.trim().split("listening on ").nth(1).unwrap().to_string();

    let db = dir.path().join("laptop.db");
    ok(xuncha(&db, &["init"]));
    let out = Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .arg("--db")
        .arg(&db)
        .args(["login", "--server", &url, "--user", "wang"])
        .env("XUNCHA_PASSWORD", "wrong-password")
        .output()
        .unwrap();
    // The server's code and message arrive as they are: said once, with the
    // exit status of a refused login.
    assert_eq!(out.status.code(), Some(7));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.starts_with("错误：用户名或密码不正确"), "{said}");
    assert_eq!(said.matches("用户名或密码不正确").count(), 1, "{said}");
    let out = Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .arg("--db")
        .arg(&db)
        .args(["--json", "login", "--server", &url, "--user", "wang"])
        .env("XUNCHA_PASSWORD", "wrong-password")
        .output()
        .unwrap();
    let (status, err) = json_failure(out);
    assert_eq!((status, err["code"].as_str()), (7, Some("signed_out")), "{err}");
    let said = Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .arg("--db")
        .arg(&db)
        .args(["login", "--server", &url, "--user", "wang"])
        .env("XUNCHA_PASSWORD", "clerk-secret-1")
        .output()
        .unwrap();
    assert!(said.status.success(), "{}", String::from_utf8_lossy(&said.stderr));
    let said = String::from_utf8_lossy(&said.stdout).to_string();
    assert!(said.contains("wang（clerk），分配园区 1 个"), "{said}");
    assert!(said.contains("尚未设置姓名：记录上暂署登录名 wang"), "{said}");
    // The clerk's own name: checked by the server, kept for every laptop.
    let refused = xuncha(&db, &["name", "王\t芳"]);
    assert_eq!(refused.status.code(), Some(3), "a refused name is bad input");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("姓名不能含换行、制表符等控制字符"));
    assert!(ok(xuncha(&db, &["name", " 王芳 "])).contains("姓名已设为“王芳”"));
    let users = admin(&["user", "list"]);
    assert!(users.contains("wang\t王芳\tclerk"), "{users}");

    let first: Value = serde_json::from_str(&ok(xuncha(&db, &["sync", "--json"]))).unwrap();
    assert!(first["report"]["pulled"].as_u64().unwrap() > 1, "{first}");
    assert_eq!(first["status"]["pending"], 0);
    let hits: Value = serde_json::from_str(&ok(xuncha(&db, &["search", "领湃", "--json"]))).unwrap();
    let id = hits[0]["id"].as_str().unwrap().to_string();
    ok(xuncha(&db, &["enterprise", "tier", &id, "A", "--reason", "群众投诉较多，加密巡查"]));
    let second = ok(xuncha(&db, &["sync"]));
    assert!(second.contains("推送 1 条（接受 1，待裁决 0，被拒绝 0）"), "{second}");
    let status = ok(xuncha(&db, &["status"]));
    assert!(status.contains("待发送 0") && !status.contains("从未同步"), "{status}");
    let numbers = ok(xuncha(&db, &["numbers"]));
    assert!(
        numbers.contains("余 30 个，下一个 祁环改〔") && numbers.contains("〕1号"),
        "the clerk can number offline: {numbers}"
    );
    // What the clerk records carries the clerk's name, not the login name.
    let signed = signed_patrol(&db, Some("雨水排放口有黄色污水流出")).id.to_string();
    let office = dir.path().join("office.json");
    std::fs::write(&office, serde_json::to_string(&xuncha_core::sample::notice_office()).unwrap()).unwrap();
    let args = ["notice", "issue", &signed, "--office", office.to_str().unwrap(), "--plan-due", "2099-12-07"];
    ok(xuncha(&db, &[&args[..], &["--reviewed-by", "周主任"]].concat()));
    let store = xuncha_core::Store::open(&db, xuncha_core::Env::system()).unwrap();
    let cases = store.cases(&Default::default()).unwrap();
    let by: Vec<&str> = cases[0].events.iter().map(|e| e.recorded_by.as_str()).collect();
    assert_eq!(by, ["王芳"; 3], "opened, reviewed and issued by the clerk, by name");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_supervisor_lists_and_decides_a_held_conflict_and_every_laptop_gets_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let park =
        server::admin(&data, &["park", "load-sample"]).lines().next().unwrap().split('\t').next().unwrap().to_string();
    for (user, role) in [("zhao", "inspector"), ("qian", "steward"), ("sun", "supervisor")] {
        server::admin(&data, &["user", "add", user, "--role", role]);
        server::admin(&data, &["assign", user, &park]);
    }
    let bureau = server::Bureau::start(&data);
    let url = format!("http://{}", bureau.addr);
    let laptop = |user: &str| {
        let db = dir.path().join(user).join("xuncha.db");
        std::fs::create_dir_all(db.parent().unwrap()).unwrap();
        ok(xuncha(&db, &["init"]));
        server::login(&db, &url, user);
        ok(xuncha(&db, &["sync"]));
        db
    };
    let (a, b, s) = (laptop("zhao"), laptop("qian"), laptop("sun"));
    let hits: Value = serde_json::from_str(&ok(xuncha(&a, &["search", "领湃", "--json"]))).unwrap();
    let id = hits[0]["id"].as_str().unwrap().to_string();
    ok(xuncha(&a, &["enterprise", "tier", &id, "A", "--reason", "群众投诉较多，加密巡查"]));
    ok(xuncha(&b, &["enterprise", "tier", &id, "C", "--reason", "已停产，减少巡查"]));
    assert!(ok(xuncha(&a, &["sync"])).contains("接受 1"));
    let said = ok(xuncha(&b, &["sync"]));
    assert!(said.contains("待裁决 1"), "the second change of a guarded field waits: {said}");
    assert!(said.contains("园区内冲突待主管裁决 1"), "and the laptop counts the open conflict: {said}");

    let open: Value = serde_json::from_str(&ok(xuncha(&s, &["conflicts", "--json"]))).unwrap();
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["field"], "tier_override");
    assert_eq!(open[0]["held"], true);
    assert_eq!(open[0]["server_value"]["tier"], "A", "the value that arrived first");
    assert_eq!(open[0]["device_value"]["tier"], "C", "the laptop's value, kept for the decision");
    let conflict = open[0]["conflict_id"].as_str().unwrap().to_string();
    let listed = ok(xuncha(&s, &["conflicts"]));
    assert!(listed.contains("湖南领湃") && listed.contains("待主管裁决"), "{listed}");

    let refused = xuncha(&a, &["resolve", &conflict, "--take", "laptop"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("只有主管可以裁决冲突"), "an inspector cannot decide");
    ok(xuncha(&s, &["resolve", &conflict, "--take", "laptop"]));
    for db in [&a, &b] {
        let said = ok(xuncha(db, &["sync"]));
        assert!(said.contains("园区内冲突待主管裁决 0"), "nothing waits once decided: {said}");
        let shown: Value = serde_json::from_str(&ok(xuncha(db, &["enterprise", "show", &id, "--json"]))).unwrap();
        assert_eq!(shown["tier"], "C", "the decision reached every laptop");
    }
    assert!(ok(xuncha(&s, &["conflicts"])).contains("没有待裁决的冲突"));
    drop(bureau);
}

/// The text poppler extracts from a PDF, without whitespace.
fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "{} is a PDF poppler reads", path.display());
    String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect()
}

/// Puts a block of 30 notice numbers from `first` into the store at `db`,
/// as a sync would have leased it; returns the year (today's, in China).
fn lease_notice_numbers(db: &Path, first: i64) -> i32 {
    let year = chrono::Datelike::year(&xuncha_core::Env::system().now_in_china());
    rusqlite::Connection::open(db)
        .unwrap()
        .execute(
            "INSERT INTO number_block (block_id, series, prefix, year, first, last, next, leased_at)
             VALUES ('b1', 'notice', '祁环改', ?1, ?2, ?3, ?2, '2026-11-22T08:00:00Z')",
            rusqlite::params![year, first, first + 29],
        )
        .unwrap();
    year
}

/// Signs a daily patrol of 湖南领湃新能源科技有限公司 in the store at `db`.
/// With `problem`, the first item fails with that finding and a photo,
/// and the representative refuses to sign; without, all is compliant and
/// both sign. Returns the signed inspection.
fn signed_patrol(db: &Path, problem: Option<&str>) -> xuncha_core::inspection::Inspection {
    use xuncha_core::inspection::{Finding, FindingSeverity, InspectionKind, InspectionState, ItemOutcome, SignerRole};
    use xuncha_core::store::inspection::{NewInspection, NewSignature};
    let mut store = xuncha_core::Store::open(db, xuncha_core::Env::system()).unwrap();
    let e = store.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    let new = NewInspection {
        enterprise_id: e.id,
        kind: InspectionKind::DailyPatrol,
        inspectors: vec!["孙敏".into()],
        accompanying: None,
    };
    let mut i = store.start_inspection(&new).unwrap();
    i.results.iter_mut().for_each(|r| r.outcome = ItemOutcome::Compliant);
    let png = b"\x89PNG\r\n\x1a\n drawn".to_vec();
    let mut signers = vec![NewSignature::drawn(SignerRole::Inspector, "孙敏", png.clone())];
    if let Some(found) = problem {
        i.results[0].outcome = ItemOutcome::NonCompliant;
        let finding = store.new_id();
        i.findings.push(Finding {
            id: finding,
            item_key: Some(i.results[0].key.clone()),
            found: found.into(),
            suggestion: "排查雨污混接并封堵".into(),
            legal_basis: None,
            severity: FindingSeverity::General,
            deadline: Some("2099-12-31".into()),
        });
        let saved = store.save_inspection(&i).unwrap();
        let photo = db.with_file_name("IMG_0001.JPG");
        std::fs::write(&photo, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(800, 600, 1))).unwrap();
        i = store.import_photos(saved.id, Some(finding), &[photo]).unwrap().0;
        signers.push(NewSignature::refused("王厂长", "刘某"));
    } else {
        signers.push(NewSignature::drawn(SignerRole::Representative, "赵经理", png));
    }
    i.ended_at = Some(i.started_at.clone());
    i.state = InspectionState::Completed;
    let i = store.save_inspection(&i).unwrap();
    store.sign_inspection(i.id, i.version, &signers).unwrap()
}

#[test]
fn printing_a_signed_inspection_writes_its_record_as_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let signed = signed_patrol(&db, None);
    let out = dir.path().join("记录.pdf");
    let said = ok(xuncha(&db, &["print", "record", &signed.id.to_string(), "--out", out.to_str().unwrap()]));
    assert!(said.contains("已生成现场检查记录"), "{said}");
    let text = pdf_text(&out);
    assert!(text.contains("湖南领湃新能源科技有限公司"), "the record names the enterprise");
    assert!(text.contains(&signed.digest.unwrap().hex()), "and carries the integrity digest");
    assert!(text.contains("本次检查未发现问题"), "and says nothing was found");

    let unknown = xuncha(&db, &["print", "record", "01941f29-0000-7000-8000-000000000000", "--out", "x.pdf"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("未找到检查记录"), "an unknown id is named");
}

#[test]
fn printing_cards_writes_one_pdf_per_facility_or_says_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let folder = dir.path().join("明白卡");
    let none = xuncha(&db, &["print", "cards", "91430426MA4QA91117", "--out", folder.to_str().unwrap()]);
    assert!(!none.status.success(), "no facilities, no cards");
    assert!(String::from_utf8_lossy(&none.stderr).contains("没有废水、废气处理设施"), "and it says why");
    {
        let mut store = xuncha_core::Store::open(&db, xuncha_core::Env::system()).unwrap();
        let mut e = store.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
        for (kind, name) in [("wastewater", "一体化污水处理设备"), ("waste_gas", "喷漆废气活性炭吸附装置")]
        {
            let id: uuid::Uuid = store.new_id();
            e.facilities.push(
                serde_json::from_value(serde_json::json!({
                    "id": id, "kind": kind, "name": name, "discharge_standard": "GB 8978-1996 三级",
                    "design_capacity": "50", "power_mode": "电", "online_monitoring": false, "process_diagram_sha256": null
                }))
                .unwrap(),
            );
        }
        store.save_enterprise(&e).unwrap();
    }
    ok(xuncha(&db, &["print", "cards", "91430426MA4QA91117", "--out", folder.to_str().unwrap()]));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder).unwrap().map(|f| f.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 2, "one card per facility: {files:?}");
    let first = pdf_text(&files[0]);
    assert!(
        first.contains("企业废水处理环保设施明白卡") && first.contains("一体化污水处理设备"),
        "the first card: {first}"
    );
    assert!(
        pdf_text(&files[1]).contains("企业废气处理环保设施明白卡"),
        "the second facility's card is the waste-gas card"
    );
}

#[test]
fn printing_a_notice_shows_its_number_problems_and_photos() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let year = lease_notice_numbers(&db, 31);
    let signed = signed_patrol(&db, Some("雨水排放口有黄色污水流出")).id;
    let office = dir.path().join("office.json");
    std::fs::write(&office, serde_json::to_string(&xuncha_core::sample::notice_office()).unwrap()).unwrap();
    let id = signed.to_string();
    let office_arg = office.to_str().unwrap();
    let late = xuncha(&db, &["notice", "issue", &id, "--office", office_arg, "--plan-due", "2020-01-01"]);
    assert!(!late.status.success());
    assert!(String::from_utf8_lossy(&late.stderr).contains("应晚于今天"), "a past deadline is named");
    let issued = ok(xuncha(
        &db,
        &[
            "notice",
            "issue",
            &id,
            "--office",
            office_arg,
            "--plan-due",
            "2099-12-07",
            "--reviewed-by",
            "周主任",
            "--json",
        ],
    ));
    let notice: xuncha_core::notice::Notice = serde_json::from_str(&issued).unwrap();
    assert_eq!(notice.number.serial, 31, "the first number of the leased block");
    let out = dir.path().join("通知书.pdf");
    let said = ok(xuncha(&db, &["print", "notice", &notice.id.to_string(), "--out", out.to_str().unwrap()]));
    assert!(said.contains("已生成整改通知书"), "{said}");
    let text = pdf_text(&out);
    for field in [
        format!("祁环改〔{year}〕31号"),
        "湖南领湃新能源科技有限公司：".to_string(),
        "雨水排放口有黄色污水流出".into(),
        "排查雨污混接并封堵".into(),
        "现场检查照片".into(),
    ] {
        assert!(text.contains(&field), "the notice shows “{field}”");
    }
    let images = Command::new("pdfimages").arg("-list").arg(&out).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&images.stdout).matches(" jpeg ").count(), 1, "the finding's photo is embedded");

    ok(xuncha(&db, &["notice", "void", &notice.id.to_string(), "--reason", "企业名称打印错误"]));
    let listed = ok(xuncha(&db, &["notice", "list"]));
    assert!(
        listed.contains(&format!("祁环改〔{year}〕31号")) && listed.contains("已作废：企业名称打印错误"),
        "{listed}"
    );
    // The case waits for a new notice; issuing again needs no second review.
    let next = ok(xuncha(&db, &["notice", "issue", &id, "--office", office_arg, "--plan-due", "2099-12-07"]));
    assert!(next.contains(&format!("祁环改〔{year}〕32号")), "a voided number is not given again: {next}");
}

#[test]
fn a_clue_transfer_is_made_from_a_finding_and_prints_three_copies() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let signed = signed_patrol(&db, Some("夜间通过雨水管网排放生产废水"));
    let office = dir.path().join("transfer.json");
    std::fs::write(&office, serde_json::to_string(&xuncha_core::sample::transfer_office()).unwrap()).unwrap();
    let id = signed.id.to_string();
    let office_arg = office.to_str().unwrap();
    let none = xuncha(&db, &["transfer", "create", &id, "--office", office_arg]);
    assert!(!none.status.success(), "the patrol's only finding is general, so by default there is nothing to transfer");
    assert!(String::from_utf8_lossy(&none.stderr).contains("请至少选择一个移交的问题"), "and it says so");

    let finding = signed.findings[0].id.to_string();
    let made = ok(xuncha(
        &db,
        &["transfer", "create", &id, "--office", office_arg, "--finding", &finding, "--subject-unknown", "--json"],
    ));
    let t: xuncha_core::clue_transfer::ClueTransfer = serde_json::from_str(&made).unwrap();
    assert_eq!(t.subject, None, "the subject was left unknown");
    assert_eq!(t.number, None, "no series asked, no number taken");
    assert!(ok(xuncha(&db, &["transfer", "list"])).contains("衡阳市生态环境局祁东分局"), "the list shows it");

    let out = dir.path().join("移交书.pdf");
    let said = ok(xuncha(&db, &["print", "transfer", &t.id.to_string(), "--out", out.to_str().unwrap()]));
    assert!(said.contains("已生成违法线索移交书"), "{said}");
    let text = pdf_text(&out);
    for field in [
        "衡阳市生态环境违法线索移交书",
        "衡阳市生态环境局祁东分局：",
        "涉嫌违法单位或个人暂不清楚",
        "夜间通过雨水管网排放生产废水",
        // The draft lists the record and the finding's photo as materials.
        "附：相关材料清单（2）份",
        "现场照片1张",
        "周文",
        "祁东县归阳工业园管理委员会",
    ] {
        assert!(text.contains(field), "the form shows “{field}”");
    }
    assert_eq!(text.matches("违法线索移交人签字").count(), 3, "three copies");
}

/// A workbook converted headless by LibreOffice (`to`: its filter); the
/// converted file's path.
fn libreoffice(xlsx: &Path, to: &str, ext: &str) -> std::path::PathBuf {
    let out = xlsx.parent().unwrap().join("lo");
    let profile = out.join("profile");
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(&out)
        .arg(xlsx)
        .output()
        .expect("LibreOffice (soffice) is installed");
    assert!(status.status.success(), "LibreOffice converts {}", xlsx.display());
    out.join(xlsx.with_extension(ext).file_name().unwrap())
}

/// The first sheet of a workbook as LibreOffice reads it, converted
/// headless to UTF-8 CSV: proof the file opens where clerks open it.
fn libreoffice_csv(xlsx: &Path) -> String {
    let csv = libreoffice(xlsx, "csv:Text - txt - csv (StarCalc):44,34,76,1", "csv");
    // Text cells come quoted; the checks read the values.
    std::fs::read_to_string(&csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display())).replace('"', "")
}

/// What poppler says of a PDF: its page count and the first page's size in points.
fn pdf_pages(path: &Path) -> (usize, String) {
    let out = Command::new("pdfinfo").arg(path).output().expect("pdfinfo (poppler-utils) is installed");
    let info = String::from_utf8(out.stdout).unwrap();
    let field =
        |name: &str| info.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default();
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// A problem as inspectors write it: longer than its column is wide.
const LONG_PROBLEM: &str = "雨水排放口有黄色污水流出，经查为车间地面冲洗水经雨水管网直排，现场未见截流设施";

#[test]
fn ledgers_export_as_workbooks_libreoffice_opens_and_as_pages() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(&dir);
    let year = lease_notice_numbers(&db, 1);
    let signed = signed_patrol(&db, Some(LONG_PROBLEM)).id.to_string();
    let office = dir.path().join("office.json");
    std::fs::write(&office, serde_json::to_string(&xuncha_core::sample::notice_office()).unwrap()).unwrap();
    let args = ["notice", "issue", &signed, "--office", office.to_str().unwrap(), "--plan-due", "2099-12-07"];
    ok(xuncha(&db, &[&args[..], &["--reviewed-by", "周主任"]].concat()));

    let book = dir.path().join("整改台账.xlsx");
    let said = ok(xuncha(&db, &["export", "ledger", "rectification", book.to_str().unwrap()]));
    assert!(said.contains("生态环境问题整改台账（1 行）"), "{said}");
    let csv = libreoffice_csv(&book);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("生态环境问题整改台账"), "the title comes first: {}", lines[0]);
    assert!(
        lines[2].starts_with("序号,企业名称,存在问题,整改措施,责任人,整改期限,整改进展,通知书文号"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("湖南领湃新能源科技有限公司")
            && lines[3].contains("雨水排放口有黄色污水流出")
            && lines[3].contains("排查雨污混接并封堵")
            && lines[3].contains("2099年12月31日")
            && lines[3].contains("已下发")
            && lines[3].contains(&format!("祁环改〔{year}〕1号")),
        "the case's row: {}",
        lines[3]
    );

    // Printed from the spreadsheet program as it comes: one landscape A4
    // page, the title whole, and a long problem in full, not its last line.
    let printed = libreoffice(&book, "pdf", "pdf");
    let (pages, size) = pdf_pages(&printed);
    assert_eq!(pages, 1, "a one-row ledger is one page wide and long");
    assert!(size.starts_with("841.89 x 595.") && size.ends_with("(A4)"), "A4 landscape: {size}");
    let text = pdf_text(&printed);
    assert!(text.contains("生态环境问题整改台账"), "{text}");
    assert!(text.contains(LONG_PROBLEM), "the wrapped cell shows every line: {text}");

    let compliance = dir.path().join("表1.3-1.xlsx");
    ok(xuncha(&db, &["export", "ledger", "compliance", compliance.to_str().unwrap(), "--park", "S437012"]));
    let csv = libreoffice_csv(&compliance);
    assert!(csv.contains("湖南领湃新能源科技有限公司"), "the park's enterprises are listed");
    assert!(csv.contains("入驻企业共 50 家"), "with their count: {csv}");

    let pages = dir.path().join("整改台账.pdf");
    ok(xuncha(&db, &["export", "ledger", "rectification", pages.to_str().unwrap()]));
    let text = pdf_text(&pages);
    assert!(text.contains("生态环境问题整改台账") && text.contains("雨水排放口有黄色污水流出"), "{text}");

    let unknown = xuncha(&db, &["export", "ledger", "everything", book.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("没有“everything”台账"), "an unknown ledger is named");
}
