//! Writes the fuzz target's seed corpus: small JPEGs and a PNG with each
//! EXIF orientation, capture time and GPS, so fuzzing starts from the
//! structures cameras write. `cargo run -p xuncha-photo --example fuzz_seeds DIR`.

use xuncha_photo::synth::{jpeg, scene, with_exif, Exif};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: fuzz_seeds DIR");
    std::fs::create_dir_all(&dir).expect("corpus folder");
    for (k, orientation) in [1u16, 3, 6, 8].into_iter().enumerate() {
        let exif = Exif {
            orientation: Some(orientation),
            taken: Some("2026:11:22 10:31:05".into()),
            gps: Some(((26, 47, 20), b'N', (112, 7, 30), b'E')),
        };
        let bytes = with_exif(&jpeg(&scene(48, 32, k as u32)), &exif);
        std::fs::write(format!("{dir}/seed-{k}.jpg"), bytes).expect("write seed");
    }
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(scene(24, 16, 9))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode png");
    std::fs::write(format!("{dir}/seed-png.png"), png).expect("write seed");
}
