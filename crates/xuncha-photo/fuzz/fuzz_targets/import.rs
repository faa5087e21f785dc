//! The photo import path on arbitrary bytes: reading the header and EXIF,
//! then decoding and rendering whatever passes. Any input must end in a
//! picture or a `PhotoError`, never a panic, a hang or an allocation beyond
//! the pixel limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = xuncha_photo::read_meta(data) {
        // Keep each run small: a header may claim up to 50 megapixels.
        if u64::from(meta.width) * u64::from(meta.height) <= 4_000_000 {
            let caption = ["拍摄时间：2026年11月22日 10:31".to_string()];
            if let Ok(r) = xuncha_photo::render(data, &meta, &caption) {
                assert!(r.width.max(r.height) <= xuncha_photo::RENDITION_EDGE);
            }
        }
    }
});
