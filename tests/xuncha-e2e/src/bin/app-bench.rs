//! `cargo run -p xuncha-e2e --bin app-bench`: the desktop app on a store of
//! 10,000 enterprises in 50 parks. Measures the time from the app process's
//! start to an interactive enterprise list, the time from a keystroke in
//! the search box to the updated list (measured inside the page), and the
//! memory (PSS) of the app and its WebKit processes. Results go to
//! BENCHMARKS.md by hand.

use std::time::Duration;

use xuncha_core::roster::{self, ImportOptions};
use xuncha_core::{synth, Env, Store};
use xuncha_e2e::App;

fn clock_ticks() -> f64 {
    // Linux reports process start times in clock ticks of 1/100 s.
    100.0
}

fn uptime_secs() -> f64 {
    std::fs::read_to_string("/proc/uptime").unwrap().split_whitespace().next().unwrap().parse().unwrap()
}

/// Pids whose command name is `name`.
fn pids_named(name: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).map(|c| c.trim() == name).unwrap_or(false))
        .collect()
}

fn stat_field(pid: u32, index: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(index - 3).map(str::to_string)
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("Pss:")).map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let enterprises: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    {
        let mut store = Store::open(data.join("xuncha.db"), Env::system()).unwrap();
        let codes = synth::create_parks(&mut store, 50).unwrap();
        let grid = synth::roster_grid(enterprises, &codes, 7);
        let report = roster::import_grid(&mut store, &grid, &ImportOptions::default()).unwrap();
        assert!(report.committed);
        synth::add_facilities(&mut store).unwrap();
    }
    std::fs::write(
        config.path().join("config.json"),
        serde_json::to_vec(&serde_json::json!({ "data_dir": data })).unwrap(),
    )
    .unwrap();

    let app = App::start(config.path()).await;
    app.click("[data-nav=enterprises]").await;
    let want = format!("共 {enterprises} 家");
    app.wait_text("[data-test=count]", |t| t.starts_with(&want)).await;
    let now = uptime_secs();
    let pid = *pids_named("xuncha-app").first().expect("the app is running");
    let started = stat_field(pid, 22).unwrap().parse::<f64>().unwrap() / clock_ticks();
    let to_list_ms = (now - started) * 1000.0;

    // Keystroke to updated list, timed in the page: set the search text as
    // typing does, then wait for the count to change and the frame to paint.
    let script = r#"
        const [text, done] = arguments;
        const input = document.querySelector('input[data-test=search]');
        const count = document.querySelector('[data-test=count]');
        const before = count.textContent;
        const t0 = performance.now();
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const poll = () => {
          if (count.textContent !== before) requestAnimationFrame(() => done(performance.now() - t0));
          else if (performance.now() - t0 > 5000) done(-1);
          else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
    "#;
    let mut keystrokes = Vec::new();
    // Each query has a different number of hits from the one before, so the change is visible.
    for text in ["食", "新材", "电子科技", "湖南", "机械", "有限", "生物", "祁东", "化工", "包装", "服饰", "金属", ""]
    {
        let ms = app.client.execute_async(script, vec![serde_json::json!(text)]).await.unwrap().as_f64().unwrap();
        keystrokes.push((text, ms));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut processes = vec![pid];
    for name in ["WebKitWebProces", "WebKitNetworkPr"] {
        processes.extend(
            pids_named(name)
                .into_iter()
                .filter(|p| stat_field(*p, 4).and_then(|pp| pp.parse::<u32>().ok()) == Some(pid)),
        );
    }
    let pss: u64 = processes.iter().map(|p| pss_kib(*p)).sum();
    app.quit().await;

    println!("enterprises: {enterprises}");
    println!("process start to interactive list: {to_list_ms:.0} ms");
    for (text, ms) in &keystrokes {
        println!("keystroke {text:?}: {ms:.1} ms");
    }
    let mut times: Vec<f64> = keystrokes.iter().map(|k| k.1).filter(|m| *m >= 0.0).collect();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("keystroke to results: median {:.1} ms, max {:.1} ms", times[times.len() / 2], times[times.len() - 1]);
    println!(
        "memory (PSS) of the app and its {} WebKit processes: {:.0} MiB",
        processes.len() - 1,
        pss as f64 / 1024.0
    );
}
