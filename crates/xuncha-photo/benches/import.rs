//! Photo import against a bare decode, on generated 12-megapixel JPEGs.
//!
//! For each photo the same run measures a bare full decode (the
//! reference) and the import pipeline (SHA-256, EXIF, decode, rendition,
//! thumbnail, watermark, three encodes), each on one core; then the
//! pipeline over all photos on every core. `XUNCHA_BENCH_PHOTOS` sets how
//! many photos (100 by default).

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use xuncha_photo::synth::{jpeg, scene, with_exif, Exif};

fn main() {
    let n: usize = std::env::var("XUNCHA_BENCH_PHOTOS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let distinct = n.min(8);
    eprintln!("generating {distinct} distinct 4000×3000 JPEGs for {n} photos …");
    let originals: Vec<Vec<u8>> = (0..distinct)
        .map(|k| {
            let exif = Exif {
                orientation: Some([1, 3, 6, 8][k % 4]),
                taken: Some(format!("2026:11:22 10:{:02}:00", k % 60)),
                gps: Some(((26, 47, 20), b'N', (112, 7, 30), b'E')),
            };
            with_exif(&jpeg(&scene(4000, 3000, k as u32)), &exif)
        })
        .collect();
    let photos: Vec<&Vec<u8>> = (0..n).map(|k| &originals[k % distinct]).collect();
    let mean_size = photos.iter().map(|p| p.len()).sum::<usize>() / n;
    let caption: Vec<String> = [
        "拍摄时间：2026年11月22日 10:31:05",
        "拍摄地点：东经112.12500° 北纬26.78889°",
        "检查企业：湖南顺隆能源有限公司",
        "检查人员：孙敏、李强",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let pipeline = |bytes: &[u8]| {
        let sha = Sha256::digest(bytes);
        let meta = xuncha_photo::read_meta(bytes).expect("generated photos are valid");
        let r = xuncha_photo::render(bytes, &meta, &caption).expect("generated photos render");
        std::hint::black_box((sha, r));
    };
    // Warm up caches and the font.
    pipeline(photos[0]);

    let mut decode = Duration::ZERO;
    let mut import = Duration::ZERO;
    for p in &photos {
        let t = Instant::now();
        let meta = xuncha_photo::read_meta(p).unwrap();
        std::hint::black_box(xuncha_photo::decode(p, &meta).unwrap());
        decode += t.elapsed();
        let t = Instant::now();
        pipeline(p);
        import += t.elapsed();
    }
    // Where the pipeline's time goes, on the first few photos.
    let parts = photos.len().min(10);
    let (mut hash, mut meta_t, mut render_t) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for p in &photos[..parts] {
        let t = Instant::now();
        std::hint::black_box(Sha256::digest(p));
        hash += t.elapsed();
        let t = Instant::now();
        let meta = xuncha_photo::read_meta(p).unwrap();
        meta_t += t.elapsed();
        let t = Instant::now();
        std::hint::black_box(xuncha_photo::render(p, &meta, &caption).unwrap());
        render_t += t.elapsed();
    }
    let part_ms = |d: Duration| d.as_secs_f64() * 1000.0 / parts as f64;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..cores {
            s.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(p) = photos.get(k) else { break };
                pipeline(p);
            });
        }
    });
    let parallel = t.elapsed();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n as f64;
    println!("photos: {n} × 4000×3000 JPEG, mean {:.2} MB", mean_size as f64 / 1e6);
    println!("bare decode, one core:      {:.1} ms per photo", ms(decode));
    println!("import pipeline, one core:  {:.1} ms per photo", ms(import));
    println!("ratio pipeline / decode:    {:.2}", import.as_secs_f64() / decode.as_secs_f64());
    println!(
        "  of which: SHA-256 {:.1} ms, header and EXIF {:.1} ms, decode and renditions {:.1} ms",
        part_ms(hash),
        part_ms(meta_t),
        part_ms(render_t)
    );
    println!(
        "import pipeline, {cores} cores:   {:.2} s for all, {:.1} photos per second",
        parallel.as_secs_f64(),
        n as f64 / parallel.as_secs_f64()
    );
}
