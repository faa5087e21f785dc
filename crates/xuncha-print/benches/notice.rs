//! Generating a rectification notice with four photos, warm: the time per
//! notice and the file's size, next to the same notice without photos so
//! that the fonts' share shows. The photos are the import pipeline's
//! watermarked copies of generated 12-megapixel JPEGs (1600 px).
//! `XUNCHA_BENCH_RUNS` sets the number of timed runs (50 by default).
//!
//! With `XUNCHA_BENCH_OUT=DIR` it also writes the notice's text, its
//! photos and its PDF there, for `benches/libreoffice.py` to build the
//! equivalent `.docx` that LibreOffice converts as the reference.

use std::time::Instant;

use uuid::Uuid;
use xuncha_core::notice::{DocNumber, Notice, NoticeOffice, NoticeProblem};
use xuncha_photo::synth::{jpeg, scene};
use xuncha_print::notice::{render, Evidence};
use xuncha_print::{FontBook, OfficeFonts};

fn notice() -> Notice {
    let problem = |k: u128, found: &str, suggestion: &str| NoticeProblem {
        finding_id: Uuid::from_u128(k).into(),
        found: found.into(),
        suggestion: suggestion.into(),
        legal_basis: Some("《中华人民共和国固体废物污染环境防治法》第七十七条".into()),
    };
    Notice {
        id: Uuid::from_u128(1).into(),
        park_id: Uuid::from_u128(2).into(),
        enterprise_id: Uuid::from_u128(3).into(),
        inspection_id: Uuid::from_u128(4).into(),
        number: DocNumber { series: "notice".into(), prefix: "祁环改".into(), year: 2026, serial: 12 },
        addressee: "祁东晶褀机械有限公司".into(),
        inspected_from: "2026-11-22T09:30:00+08:00".into(),
        inspected_to: "2026-11-22T11:05:00+08:00".into(),
        problems: vec![
            problem(10, "危险废物贮存间未设置标识标牌，台账记录不完整", "按 GB 18597 设置标识标牌并补全台账"),
            problem(11, "废气收集管道破损，车间内有明显异味", "修复收集管道，检查风机风量"),
            problem(12, "雨污分流不彻底，雨水排放口有生产废水痕迹", "排查管网，封堵错接管道"),
        ],
        laws: "《中华人民共和国环境保护法》《湖南省环境保护条例》".into(),
        plan_due: "2026-12-07".into(),
        office: NoticeOffice {
            red_header: Some("祁东县归阳工业园管理委员会".into()),
            responsibilities: "《中华人民共和国环境保护法》第五十九条：企业事业单位和其他生产经营者违法排放污染物，受到罚款处罚，被责令改正，拒不改正的，依法作出处罚决定的行政机关可以自责令改正之日的次日起，按照原处罚数额按日连续处罚。".into(),
            ..xuncha_core::sample::notice_office()
        },
        issued_on: "2026-11-22".into(),
        photos: Vec::new(),
        issued_at: "2026-11-22T14:00:00+08:00".into(),
        device_id: None,
    }
}

/// The text of every paragraph, in order, as the reference document needs it.
fn paragraphs(blocks: &[xuncha_print::layout::Block], out: &mut Vec<String>) {
    use xuncha_print::layout::Block;
    for b in blocks {
        match b {
            Block::Para(p) => out.push(p.spans.iter().map(|s| s.text.as_str()).collect()),
            Block::Keep { blocks, .. } => paragraphs(blocks, out),
            Block::KeepWithNext(b) => paragraphs(std::slice::from_ref(b), out),
            _ => {}
        }
    }
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::var("XUNCHA_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let started = Instant::now();
    let book = FontBook::load(&FontBook::shipped_dir(), &OfficeFonts::default()).expect("fonts load");
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let caption = ["拍摄时间：2026年11月22日 10:31:05".to_string(), "检查企业：祁东晶褀机械有限公司".to_string()];
    let evidence: Vec<Evidence> = (0..4)
        .map(|k| {
            let original = jpeg(&scene(4000, 3000, k));
            let meta = xuncha_photo::read_meta(&original).unwrap();
            let copies = xuncha_photo::render(&original, &meta, &caption).unwrap();
            Evidence { jpeg: copies.watermarked, caption: format!("现场照片{}", k + 1) }
        })
        .collect();
    let photo_bytes: usize = evidence.iter().map(|e| e.jpeg.len()).sum();
    let n = notice();
    let measure = |evidence: &[Evidence]| {
        render(&book, &n, evidence, 0).unwrap();
        let mut times = Vec::with_capacity(runs);
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            size = render(&book, &n, evidence, 0).unwrap().len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        (median_ms(times), size)
    };
    let (with_ms, with_size) = measure(&evidence);
    let (text_ms, text_size) = measure(&[]);
    println!("fonts loaded once (cold):        {load_ms:.0} ms");
    println!("notice + 4 photos, warm median:  {with_ms:.1} ms, {:.0} KiB ({runs} runs)", with_size as f64 / 1024.0);
    println!("notice without photos:           {text_ms:.1} ms, {:.0} KiB", text_size as f64 / 1024.0);
    println!("the four photos' JPEG bytes:     {:.0} KiB", photo_bytes as f64 / 1024.0);
    if let Some(dir) = std::env::var_os("XUNCHA_BENCH_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = Vec::new();
        paragraphs(&xuncha_print::notice::blocks(&book, &n), &mut text);
        let mut photos = Vec::new();
        for (k, e) in evidence.iter().enumerate() {
            let path = dir.join(format!("photo{}.jpg", k + 1));
            std::fs::write(&path, &e.jpeg).unwrap();
            photos.push(serde_json::json!({"path": path, "caption": format!("图{}　{}", k + 1, e.caption)}));
        }
        let doc = serde_json::json!({"paragraphs": text, "photos": photos});
        std::fs::write(dir.join("notice.json"), serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        std::fs::write(dir.join("notice.pdf"), render(&book, &n, &evidence, 0).unwrap()).unwrap();
        println!("wrote the notice's text, photos and PDF to {}", dir.display());
    }
}
