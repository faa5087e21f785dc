use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use uuid::Uuid;
use xuncha_core::clue_transfer::{ClueTransfer, TransferOffice};
use xuncha_core::inspection::{
    Finding, FindingSeverity, Inspection, InspectionKind, InspectionState, ItemOutcome, SignerRole,
};
use xuncha_core::notice::{DocNumber, Notice, NoticeOffice, NoticeProblem};
use xuncha_core::store::inspection::{NewInspection, NewSignature};
use xuncha_core::{Enterprise, Env, Store};
use xuncha_print::{FontBook, OfficeFonts};

/// The shipped fonts, parsed once for all tests.
pub fn book() -> &'static FontBook {
    static BOOK: OnceLock<FontBook> = OnceLock::new();
    BOOK.get_or_init(|| FontBook::load(&FontBook::shipped_dir(), &OfficeFonts::default()).expect("shipped fonts load"))
}

/// Writes `pdf` and its pages as PNG under `target/print-artifacts/NAME`.
pub fn keep(name: &str, pdf: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/print-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(&path)
        .arg(dir.join(name))
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success(), "pdftoppm renders {name}");
    path
}

fn run(cmd: &str, args: &[&str], path: &Path) -> String {
    let mut command = Command::new(cmd);
    command.args(args).arg(path);
    if cmd == "pdftotext" {
        command.arg("-");
    }
    let out = command.output().unwrap_or_else(|e| panic!("{cmd} runs: {e}"));
    assert!(out.status.success(), "{cmd} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The text poppler extracts, one string per page.
pub fn text_pages(path: &Path) -> Vec<String> {
    run("pdftotext", &["-enc", "UTF-8"], path)
        .split('\u{c}')
        .map(str::to_string)
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// Text without any whitespace, so wrapped lines and table cells compare.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `pdffonts` rows: (name, embedded, subset).
pub fn fonts(path: &Path) -> Vec<(String, bool, bool)> {
    run("pdffonts", &[], path)
        .lines()
        .skip(2)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            (cols[0].to_string(), cols[n - 5] == "yes", cols[n - 4] == "yes")
        })
        .collect()
}

pub fn qpdf_check(path: &Path) {
    let out = Command::new("qpdf").arg("--check").arg(path).output().expect("qpdf is installed");
    assert!(
        out.status.success(),
        "qpdf --check fails on {}: {}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Words with their boxes, in points from the page's top left, per page.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
}

pub fn words(path: &Path) -> Vec<Vec<Word>> {
    let html = run("pdftotext", &["-bbox", "-enc", "UTF-8"], path);
    let mut pages = Vec::new();
    for page in html.split("<page ").skip(1) {
        let mut words = Vec::new();
        for w in page.split("<word ").skip(1) {
            let attr = |name: &str| -> f32 {
                let start = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                w[start..].split('"').next().unwrap().parse().unwrap()
            };
            let text = w.split('>').nth(1).unwrap().split('<').next().unwrap().to_string();
            words.push(Word {
                text,
                x_min: attr("xMin"),
                y_min: attr("yMin"),
                x_max: attr("xMax"),
                y_max: attr("yMax"),
            });
        }
        pages.push(words);
    }
    pages
}

pub const MM: f32 = 72.0 / 25.4;

/// A store in a real file with the sample parks, at 2026-11-22 10:00 China time.
pub fn sample_store(dir: &tempfile::TempDir) -> Store {
    let env = Env::fixed(Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap(), 7);
    let mut store = Store::open(dir.path().join("xuncha.db"), env).unwrap();
    xuncha_core::sample::load_sample(&mut store).unwrap();
    store
}

/// The sample enterprise called `name` (or known by it).
pub fn enterprise(store: &Store, name: &str) -> Enterprise {
    store.find_enterprise(name).unwrap().unwrap_or_else(|| panic!("{name} is in the sample park"))
}

/// A patrol of `e` with two problems found, signed by the inspector while
/// the representative refused before a witness.
pub fn signed_patrol(store: &mut Store, e: &Enterprise) -> Inspection {
    let mut i = store
        .start_inspection(&NewInspection {
            enterprise_id: e.id,
            kind: InspectionKind::DailyPatrol,
            inspectors: vec!["孙敏".into(), "李强".into()],
            accompanying: Some("王厂长".into()),
        })
        .unwrap();
    let mut bad = Vec::new();
    for r in i.results.iter_mut() {
        r.outcome = if bad.len() < 2 { ItemOutcome::NonCompliant } else { ItemOutcome::Compliant };
        if r.outcome == ItemOutcome::NonCompliant {
            bad.push(r.key.clone());
        }
    }
    let problems = [
        (
            "危险废物贮存间未设置标识标牌，台账记录不完整",
            "按 GB 18597 设置标识标牌并补全台账",
            "《中华人民共和国固体废物污染环境防治法》第七十七条",
        ),
        (
            "废气收集管道破损，车间内有明显异味",
            "修复收集管道，检查风机风量",
            "《中华人民共和国大气污染防治法》第四十五条",
        ),
    ];
    for (key, (found, suggestion, basis)) in bad.into_iter().zip(problems) {
        i.findings.push(Finding {
            id: store.new_id(),
            item_key: Some(key),
            found: found.into(),
            suggestion: suggestion.into(),
            legal_basis: Some(basis.into()),
            severity: FindingSeverity::General,
            deadline: Some("2026-12-22".into()),
        });
    }
    i.notes = "企业正在停产检修，部分设施未运行。".into();
    i.ended_at = Some(i.started_at.replace("T10:00", "T11:30"));
    i.state = InspectionState::Completed;
    let i = store.save_inspection(&i).unwrap();
    let png = drawn_signature();
    store
        .sign_inspection(
            i.id,
            i.version,
            &[NewSignature::drawn(SignerRole::Inspector, "孙敏", png), NewSignature::refused("王厂长", "村委会刘某")],
        )
        .unwrap()
}

/// A signature as the app's pad saves it: a dark stroke on a transparent PNG.
pub fn drawn_signature() -> Vec<u8> {
    let mut img = image::RgbaImage::new(300, 100);
    for x in 20..280u32 {
        let y = 50.0 + 25.0 * ((x as f32) / 30.0).sin();
        for dy in 0..3 {
            img.put_pixel(x, y as u32 + dy, image::Rgba([20, 20, 60, 255]));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A signed patrol of 祁东晶祺机械有限公司 in a fresh sample store; the
/// directory holding the store goes with it.
pub fn patrolled() -> (tempfile::TempDir, Enterprise, Inspection) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let e = enterprise(&store, "祁东晶祺机械有限公司");
    let i = signed_patrol(&mut store, &e);
    (dir, e, i)
}

pub fn office(red_header: bool) -> NoticeOffice {
    NoticeOffice {
        red_header: red_header.then(|| "祁东县归阳工业园管理委员会".into()),
        responsibilities: "《中华人民共和国环境保护法》第五十九条：企业事业单位和其他生产经营者违法排放污染物，受到罚款处罚，被责令改正，拒不改正的，依法作出处罚决定的行政机关可以自责令改正之日的次日起，按照原处罚数额按日连续处罚。\n《中华人民共和国固体废物污染环境防治法》第一百一十二条：违反本法规定，有下列行为之一，由生态环境主管部门责令改正，处以罚款，没收违法所得；情节严重的，报经有批准权的人民政府批准，可以责令停业或者关闭。".into(),
        ..xuncha_core::sample::notice_office()
    }
}

/// A notice written from `i` with `n` problems (repeating its findings).
pub fn notice(i: &Inspection, addressee: &str, n: usize, red_header: bool) -> Notice {
    let problems = (0..n)
        .map(|k| {
            let f = &i.findings[k % i.findings.len()];
            NoticeProblem {
                finding_id: f.id,
                found: f.found.clone(),
                suggestion: f.suggestion.clone(),
                legal_basis: f.legal_basis.clone(),
            }
        })
        .collect();
    Notice {
        id: Uuid::from_u128(1).into(),
        park_id: i.park_id,
        enterprise_id: i.enterprise_id,
        inspection_id: i.id,
        number: DocNumber { series: "notice".into(), prefix: "祁环改".into(), year: 2026, serial: 12 },
        addressee: addressee.into(),
        inspected_from: i.started_at.clone(),
        inspected_to: i.ended_at.clone().unwrap(),
        problems,
        laws: "《中华人民共和国环境保护法》《湖南省环境保护条例》".into(),
        plan_due: "2026-12-07".into(),
        office: office(red_header),
        issued_on: "2026-11-22".into(),
        photos: Vec::new(),
        issued_at: "2026-11-22T14:00:00+08:00".into(),
        device_id: None,
    }
}

/// The text of one column of the official text block, from `from` to `to`
/// (fractions of its 156 mm width), over all pages in reading order, with
/// no whitespace: what a reader sees down that column of a table.
pub fn column(path: &Path, from: f32, to: f32) -> String {
    column_in(path, OFFICIAL, from, to)
}

/// The left edge and width of a text block, in millimetres.
pub type Block = (f32, f32);
pub const OFFICIAL: Block = (28.0, 156.0);
pub const CARD: Block = (20.0, 170.0);

pub fn column_in(path: &Path, (left, width): Block, from: f32, to: f32) -> String {
    let (x0, x1) = ((left + width * from) * MM - 1.0, (left + width * to) * MM);
    let mut out = String::new();
    for page in words(path) {
        let mut page: Vec<Word> = page.into_iter().filter(|w| w.x_min >= x0 && w.x_min < x1).collect();
        page.sort_by(|a, b| a.y_max.total_cmp(&b.y_max).then(a.x_min.total_cmp(&b.x_min)));
        out.extend(page.into_iter().map(|w| w.text));
    }
    squeeze(&out)
}

/// A straight stroke or a placed picture, in points from the page's top left.
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
}

/// What a page's content stream draws: rule segments, pictures (as
/// rectangles) and text baselines `(x, baseline, font size)`.
#[derive(Debug, Default)]
pub struct Drawn {
    pub rules: Vec<Segment>,
    pub pictures: Vec<Segment>,
    pub baselines: Vec<(f32, f32, f32)>,
}

/// Reads every page's content stream (uncompressed by `qpdf --qdf`) for
/// the rules, pictures and text positions it draws.
pub fn drawn(path: &Path) -> Vec<Drawn> {
    let qdf = path.with_extension("qdf");
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(path)
        .arg(&qdf)
        .status()
        .expect("qpdf is installed");
    assert!(status.success(), "qpdf --qdf {}", path.display());
    let bytes = std::fs::read(&qdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let heights: Vec<f32> = run("pdfinfo", &["-f", "1", "-l", "999"], path)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .map(|l| l.split_whitespace().nth(5).unwrap().parse().unwrap())
        .collect();
    let mut pages = Vec::new();
    for (n, part) in text.split("%% Contents for page ").skip(1).enumerate() {
        let body = part.split("stream\n").nth(1).unwrap().split("endstream").next().unwrap();
        let h = heights[n];
        let mut page = Drawn::default();
        let mut stack: Vec<f32> = Vec::new();
        let (mut at, mut size, mut tm) = ((0.0, 0.0), 0.0, (0.0, 0.0));
        let mut cm = vec![[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]];
        for token in body.split_whitespace() {
            if let Ok(v) = token.parse::<f32>() {
                stack.push(v);
                continue;
            }
            match token {
                "m" => at = (stack[stack.len() - 2], stack[stack.len() - 1]),
                "l" => {
                    let to = (stack[stack.len() - 2], stack[stack.len() - 1]);
                    page.rules.push(Segment { x1: at.0, y1: h - at.1, x2: to.0, y2: h - to.1 });
                    at = to;
                }
                "q" => cm.push(*cm.last().unwrap()),
                "Q" => {
                    cm.pop();
                }
                "cm" => {
                    let m = &stack[stack.len() - 6..];
                    *cm.last_mut().unwrap() = [m[0], m[1], m[2], m[3], m[4], m[5]];
                }
                "Do" => {
                    let m = cm.last().unwrap();
                    page.pictures.push(Segment { x1: m[4], y1: h - m[5] - m[3], x2: m[4] + m[0], y2: h - m[5] });
                }
                "Tf" => size = *stack.last().unwrap(),
                "Td" | "Tm" => tm = (stack[stack.len() - 2], stack[stack.len() - 1]),
                "Tj" | "TJ" => page.baselines.push((tm.0, h - tm.1, size)),
                _ => {}
            }
            if !token.starts_with('<') && !token.starts_with('[') && !token.starts_with('/') {
                stack.clear();
            }
        }
        pages.push(page);
    }
    pages
}

/// Whether `word` has glyphs on both sides of `rule` (inside the word's
/// box by half a point, so a glyph touching a rule does not count).
pub fn crosses(word: &Word, rule: &Segment) -> bool {
    let (x0, x1, y0, y1) = (word.x_min + 0.5, word.x_max - 0.5, word.y_min + 0.5, word.y_max - 0.5);
    let overlaps = |a0: f32, a1: f32, b0: f32, b1: f32| a0.max(b0.min(b1)) < a1.min(b0.max(b1));
    if (rule.x1 - rule.x2).abs() < 0.1 {
        rule.x1 > x0 && rule.x1 < x1 && overlaps(y0, y1, rule.y1, rule.y2)
    } else if (rule.y1 - rule.y2).abs() < 0.1 {
        rule.y1 > y0 && rule.y1 < y1 && overlaps(x0, x1, rule.x1, rule.x2)
    } else {
        false
    }
}

/// Every word of `path` that a table rule runs through, as `page: word`.
pub fn words_across_rules(path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (n, (page, drawn)) in words(path).iter().zip(drawn(path)).enumerate() {
        for w in page {
            if drawn.rules.iter().any(|r| crosses(w, r)) {
                out.push(format!("page {}: {}", n + 1, w.text));
            }
        }
    }
    out
}

/// A clue transfer form of the sample's 益阳 office.
pub fn clue_transfer() -> ClueTransfer {
    ClueTransfer {
        id: uuid::Uuid::nil().into(),
        park_id: uuid::Uuid::nil().into(),
        enterprise_id: uuid::Uuid::nil().into(),
        inspection_id: uuid::Uuid::nil().into(),
        finding_ids: vec![],
        number: Some(DocNumber { series: "transfer".into(), prefix: "益高环移".into(), year: 2026, serial: 3 }),
        subject: None,
        description: "夜间通过雨水管网排放生产废水".into(),
        materials: vec!["现场检查记录".into(), "现场照片4张".into(), "生态环境问题整改通知书".into()],
        receiver_name: "陈刚".into(),
        receiver_phone: "0737-4225678".into(),
        office: TransferOffice {
            city: "益阳市".into(),
            receiver: "益阳市生态环境局赫山分局".into(),
            sender_phrase: "我管委会".into(),
            issuer: "益阳高新技术产业开发区管理委员会".into(),
            sender_name: "周文".into(),
            sender_phone: "0737-4221234".into(),
        },
        transferred_on: "2026-11-22".into(),
        created_at: "2026-11-22T10:00:00+08:00".into(),
        device_id: None,
    }
}
