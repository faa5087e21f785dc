//! Photos as evidence: metadata, orientation, renditions, watermark and
//! bad files, on JPEGs generated here with known EXIF.

use image::{Rgb, RgbImage};
use proptest::prelude::*;
use xuncha_photo::synth::{jpeg, with_exif, Exif};
use xuncha_photo::{read_meta, render, Format, Missing, PhotoError, MAX_PIXELS, RENDITION_EDGE, THUMBNAIL_EDGE};

const RED: Rgb<u8> = Rgb([220, 30, 30]);
const BLUE: Rgb<u8> = Rgb([30, 30, 220]);

/// A picture that is blue except for its stored top-left quarter, which is
/// red, so where the red ends up shows how the picture was turned.
fn marked_picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| if x < w / 4 && y < h / 4 { RED } else { BLUE })
}

fn decode(jpeg: &[u8]) -> RgbImage {
    image::load_from_memory(jpeg).unwrap().to_rgb8()
}

fn is_red(p: &Rgb<u8>) -> bool {
    p.0[0] > 150 && p.0[2] < 100
}

/// Where the red quarter is in a displayed picture: (right?, bottom?).
fn red_corner(img: &RgbImage) -> (bool, bool) {
    let (w, h) = img.dimensions();
    let corners = [(w / 10, h / 10), (w - w / 10, h / 10), (w / 10, h - h / 10), (w - w / 10, h - h / 10)];
    let red: Vec<(bool, bool)> =
        corners.iter().filter(|(x, y)| is_red(img.get_pixel(*x, *y))).map(|(x, y)| (*x > w / 2, *y > h / 2)).collect();
    assert_eq!(red.len(), 1, "exactly one corner should be red, found {red:?}");
    red[0]
}

const CAPTION: [&str; 4] =
    ["时间：2026年11月22日 10:31", "地点：东经112.1234° 北纬26.7890°", "企业：祁东晶褀机械有限公司", "检查人：孙敏"];

fn caption() -> Vec<String> {
    CAPTION.iter().map(|s| s.to_string()).collect()
}

#[test]
fn exif_orientation_turns_every_copy_upright() {
    // EXIF 2.3, tag 0x0112: where the stored first row and column are shown.
    // 1: as stored; 3: turned 180°; 6: turned 90° clockwise; 8: 90° anticlockwise.
    let cases =
        [(1, (false, false), false), (3, (true, true), false), (6, (true, false), true), (8, (false, true), true)];
    let stored = jpeg(&marked_picture(2000, 1000));
    for (orientation, corner, portrait) in cases {
        let bytes = with_exif(&stored, &Exif { orientation: Some(orientation), ..Exif::default() });
        let meta = read_meta(&bytes).unwrap();
        assert_eq!(u16::from(meta.orientation), orientation);
        assert_eq!((meta.width, meta.height), (2000, 1000), "the stored size is kept as stored");
        let r = render(&bytes, &meta, &caption()).unwrap();
        let expected_size = if portrait { (800, 1600) } else { (1600, 800) };
        assert_eq!((r.width, r.height), expected_size, "orientation {orientation}: rendition size");
        for (what, copy) in [("rendition", &r.rendition), ("thumbnail", &r.thumbnail)] {
            let img = decode(copy);
            assert_eq!(red_corner(&img), corner, "orientation {orientation}: red corner of the {what}");
        }
        let thumb = decode(&r.thumbnail);
        assert_eq!(thumb.width().max(thumb.height()), THUMBNAIL_EDGE);
        // The watermark band covers the bottom, so look at the top half only.
        let marked = decode(&r.watermarked);
        assert_eq!(marked.dimensions(), expected_size);
        if !corner.1 {
            assert_eq!(red_corner(&marked), corner, "orientation {orientation}: watermarked copy is upright too");
        }
    }
}

#[test]
fn capture_time_and_gps_are_read_from_exif() {
    let bytes = with_exif(
        &jpeg(&marked_picture(640, 480)),
        &Exif {
            taken: Some("2026:11:22 10:31:05".into()),
            gps: Some(((26, 47, 20), b'N', (112, 7, 30), b'E')),
            ..Exif::default()
        },
    );
    let meta = read_meta(&bytes).unwrap();
    assert_eq!(meta.format, Format::Jpeg);
    assert_eq!(meta.orientation, 1, "no orientation tag means as stored");
    assert_eq!(meta.taken_at.as_deref(), Some("2026-11-22T10:31:05"));
    let gps = meta.gps.expect("GPS was written");
    assert!((gps.latitude - (26.0 + 47.0 / 60.0 + 20.0 / 3600.0)).abs() < 1e-9, "{gps:?}");
    assert!((gps.longitude - (112.0 + 7.0 / 60.0 + 30.0 / 3600.0)).abs() < 1e-9, "{gps:?}");

    let south_west = with_exif(
        &jpeg(&marked_picture(64, 48)),
        &Exif { gps: Some(((33, 52, 0), b'S', (151, 12, 0), b'W')), ..Exif::default() },
    );
    let gps = read_meta(&south_west).unwrap().gps.unwrap();
    assert!(gps.latitude < 0.0 && gps.longitude < 0.0, "S and W are negative: {gps:?}");
}

#[test]
fn a_photo_without_exif_has_no_time_or_place() {
    let meta = read_meta(&jpeg(&marked_picture(64, 48))).unwrap();
    assert_eq!((meta.taken_at, meta.gps, meta.orientation), (None, None, 1));
    assert_eq!((meta.missing_time, meta.missing_place), (Some(Missing::NoExif), Some(Missing::NoExif)));
    assert!(Missing::NoExif.time_reason().contains("不含 EXIF"));
}

/// EXIF as other writers make it: slightly off the standard's strictest
/// form but read by exiftool and ImageMagick. Each file is built entry by
/// entry, so the one defect it carries is known.
mod lenient_exif {
    use super::*;

    const DATE_TIME_ORIGINAL: u16 = 0x9003;
    const MAKER_NOTE: u16 = 0x927C;
    const LATITUDE_REF: u16 = 1;
    const LATITUDE: u16 = 2;
    const LONGITUDE_REF: u16 = 3;
    const LONGITUDE: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    const UNDEFINED: u16 = 7;

    /// One directory entry: its value is stored after the directories,
    /// or `at` names an offset to write instead (a dangling pointer).
    struct Entry {
        tag: u16,
        kind: u16,
        count: u32,
        value: Vec<u8>,
        at: Option<u32>,
    }

    fn text(tag: u16, s: &str) -> Entry {
        let mut value = s.as_bytes().to_vec();
        value.push(0);
        Entry { tag, kind: ASCII, count: value.len() as u32, value, at: None }
    }

    fn rationals(tag: u16, parts: &[(u32, u32)]) -> Entry {
        let value = parts.iter().flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes())).collect();
        Entry { tag, kind: RATIONAL, count: parts.len() as u32, value, at: None }
    }

    fn dms(tag: u16, d: u32, m: u32, s: u32) -> Entry {
        rationals(tag, &[(d, 1), (m, 1), (s, 1)])
    }

    /// A little-endian TIFF: IFD0 pointing at an Exif and a GPS directory,
    /// then every value longer than four bytes. `next` is IFD0's
    /// next-directory pointer (0: none).
    fn tiff(ifd0: Vec<Entry>, exif: Vec<Entry>, gps: Vec<Entry>, next: u32) -> Vec<u8> {
        let size = |n: usize| 2 + 12 * n + 4;
        let pointers = usize::from(!exif.is_empty()) + usize::from(!gps.is_empty());
        let exif_at = 8 + size(ifd0.len() + pointers);
        let gps_at = exif_at + if exif.is_empty() { 0 } else { size(exif.len()) };
        let mut data_at = gps_at + if gps.is_empty() { 0 } else { size(gps.len()) };
        let mut ifd0 = ifd0;
        let pointer =
            |tag: u16, at: usize| Entry { tag, kind: 4, count: 1, value: (at as u32).to_le_bytes().to_vec(), at: None };
        if !exif.is_empty() {
            ifd0.push(pointer(0x8769, exif_at));
        }
        if !gps.is_empty() {
            ifd0.push(pointer(0x8825, gps_at));
        }
        let mut out = b"II*\0\x08\0\0\0".to_vec();
        let mut data = Vec::new();
        for (ifd, next) in [(ifd0, next), (exif, 0), (gps, 0)] {
            if ifd.is_empty() {
                continue;
            }
            out.extend_from_slice(&(ifd.len() as u16).to_le_bytes());
            for e in ifd {
                out.extend_from_slice(&e.tag.to_le_bytes());
                out.extend_from_slice(&e.kind.to_le_bytes());
                out.extend_from_slice(&e.count.to_le_bytes());
                match e.at {
                    Some(at) => out.extend_from_slice(&at.to_le_bytes()),
                    None if e.value.len() <= 4 => {
                        let mut v = e.value.clone();
                        v.resize(4, 0);
                        out.extend_from_slice(&v);
                    }
                    None => {
                        out.extend_from_slice(&(data_at as u32).to_le_bytes());
                        data_at += e.value.len();
                        data.extend_from_slice(&e.value);
                    }
                }
            }
            out.extend_from_slice(&next.to_le_bytes());
        }
        out.extend_from_slice(&data);
        out
    }

    /// A JPEG whose APP1 segment is `header` followed by `tiff`.
    fn jpeg_with(header: &[u8], tiff: &[u8]) -> Vec<u8> {
        let plain = jpeg(&marked_picture(64, 48));
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((header.len() + tiff.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(header);
        out.extend_from_slice(tiff);
        out.extend_from_slice(&plain[2..]);
        out
    }

    fn place() -> Vec<Entry> {
        vec![text(LATITUDE_REF, "N"), dms(LATITUDE, 26, 47, 20), text(LONGITUDE_REF, "E"), dms(LONGITUDE, 112, 7, 30)]
    }

    const LAT: f64 = 26.0 + 47.0 / 60.0 + 20.0 / 3600.0;
    const LON: f64 = 112.0 + 7.0 / 60.0 + 30.0 / 3600.0;

    /// Reads a file and checks the time and place exiftool shows for it.
    fn reads(bytes: &[u8], time: &str, place: Option<(f64, f64)>) {
        let meta = read_meta(bytes).expect("the picture itself is fine");
        assert_eq!(meta.taken_at.as_deref(), Some(time));
        assert_eq!(meta.missing_time, None);
        match place {
            Some((lat, lon)) => {
                let gps = meta.gps.expect("the place was written");
                assert!((gps.latitude - lat).abs() < 1e-6 && (gps.longitude - lon).abs() < 1e-6, "{gps:?}");
                assert_eq!(meta.missing_place, None);
            }
            None => assert_eq!(meta.gps, None),
        }
    }

    #[test]
    fn a_dangling_maker_note_costs_only_itself() {
        let maker_note =
            Entry { tag: MAKER_NOTE, kind: UNDEFINED, count: 5000, value: Vec::new(), at: Some(0x00FF_FFF0) };
        let t = tiff(vec![], vec![maker_note, text(DATE_TIME_ORIGINAL, "2026:11:22 10:31:05")], place(), 0);
        reads(&jpeg_with(b"Exif\0\0", &t), "2026-11-22T10:31:05", Some((LAT, LON)));
    }

    #[test]
    fn a_broken_thumbnail_directory_pointer_costs_only_the_thumbnail() {
        let t = tiff(vec![], vec![text(DATE_TIME_ORIGINAL, "2026:11:22 10:31:05")], place(), 0x7FFF_FFF0);
        reads(&jpeg_with(b"Exif\0\0", &t), "2026-11-22T10:31:05", Some((LAT, LON)));
    }

    #[test]
    fn an_exif_header_without_its_padding_is_found() {
        let t = tiff(vec![], vec![text(DATE_TIME_ORIGINAL, "2026:11:22 10:31:05")], vec![], 0);
        reads(&jpeg_with(b"Exif\0", &t), "2026-11-22T10:31:05", None);
    }

    #[test]
    fn capture_times_in_other_spellings_are_read() {
        for (written, read) in [
            ("2026-11-22 10:31:05", "2026-11-22T10:31:05"),
            ("2026:11:22T10:31:05", "2026-11-22T10:31:05"),
            ("2026:11:22 10:31", "2026-11-22T10:31:00"),
            ("2026:11:22 10:31:05.250", "2026-11-22T10:31:05"),
            ("2026:11:22 10:31:05+08:00", "2026-11-22T10:31:05"),
            ("2026-11-22T10:31:05Z", "2026-11-22T10:31:05"),
        ] {
            let t = tiff(vec![], vec![text(DATE_TIME_ORIGINAL, written)], vec![], 0);
            reads(&jpeg_with(b"Exif\0\0", &t), read, None);
        }
    }

    #[test]
    fn a_capture_time_stored_as_bytes_is_read() {
        let mut value = b"2026:11:22 10:31:05".to_vec();
        value.push(0);
        let time = Entry { tag: DATE_TIME_ORIGINAL, kind: UNDEFINED, count: value.len() as u32, value, at: None };
        reads(&jpeg_with(b"Exif\0\0", &tiff(vec![], vec![time], vec![], 0)), "2026-11-22T10:31:05", None);
    }

    #[test]
    fn decimal_degrees_and_unknown_seconds_are_read() {
        let decimal = vec![
            text(LATITUDE_REF, "N"),
            rationals(LATITUDE, &[(26_788_889, 1_000_000)]),
            text(LONGITUDE_REF, "e"),
            rationals(LONGITUDE, &[(112, 1), (7, 1), (0, 0)]),
        ];
        let t = tiff(vec![], vec![text(DATE_TIME_ORIGINAL, "2026:11:22 10:31:05")], decimal, 0);
        reads(&jpeg_with(b"Exif\0\0", &t), "2026-11-22T10:31:05", Some((26.788_889, 112.0 + 7.0 / 60.0)));
    }

    #[test]
    fn a_missing_time_or_place_says_why() {
        let no_time = tiff(vec![], vec![], place(), 0);
        let meta = read_meta(&jpeg_with(b"Exif\0\0", &no_time)).unwrap();
        assert_eq!((meta.taken_at, meta.missing_time), (None, Some(Missing::NotRecorded)));

        let unset_clock = tiff(vec![], vec![text(DATE_TIME_ORIGINAL, "0000:00:00 00:00:00")], vec![], 0);
        let meta = read_meta(&jpeg_with(b"Exif\0\0", &unset_clock)).unwrap();
        assert_eq!((meta.taken_at, meta.missing_time), (None, Some(Missing::Unreadable)));
        assert_eq!(meta.missing_place, Some(Missing::NotRecorded));
        assert!(Missing::NotRecorded.place_reason().contains("定位"));

        let nowhere =
            vec![text(LATITUDE_REF, "N"), dms(LATITUDE, 0, 0, 0), text(LONGITUDE_REF, "E"), dms(LONGITUDE, 0, 0, 0)];
        let meta = read_meta(&jpeg_with(b"Exif\0\0", &tiff(vec![], vec![], nowhere, 0))).unwrap();
        assert_eq!((meta.gps, meta.missing_place), (None, Some(Missing::Unreadable)));
    }
}

#[test]
fn small_photos_are_not_enlarged() {
    let bytes = jpeg(&marked_picture(800, 600));
    let r = render(&bytes, &read_meta(&bytes).unwrap(), &caption()).unwrap();
    assert_eq!((r.width, r.height), (800, 600));
}

#[test]
fn the_rendition_long_edge_is_1600() {
    let bytes = jpeg(&marked_picture(4000, 3000));
    let r = render(&bytes, &read_meta(&bytes).unwrap(), &[]).unwrap();
    assert_eq!((r.width, r.height), (RENDITION_EDGE, 1200));
}

#[test]
fn the_watermark_is_light_text_on_a_dark_band_at_the_bottom() {
    let plain = RgbImage::from_pixel(1600, 1200, Rgb([128, 128, 128]));
    let bytes = jpeg(&plain);
    let r = render(&bytes, &read_meta(&bytes).unwrap(), &caption()).unwrap();
    let marked = decode(&r.watermarked);
    let rendition = decode(&r.rendition);
    let row_stats = |img: &RgbImage, y: u32| {
        let row: Vec<u8> = (0..img.width()).map(|x| img.get_pixel(x, y).0[1]).collect();
        (*row.iter().min().unwrap(), *row.iter().max().unwrap())
    };
    // The top is untouched.
    let (lo, hi) = row_stats(&marked, 100);
    assert!(lo > 110 && hi < 146, "top of the watermarked copy stays grey: {lo}..{hi}");
    // Somewhere in the bottom band there is dark background and light text.
    let mut dark = false;
    let mut light = false;
    for y in 1000..1200 {
        let (lo, hi) = row_stats(&marked, y);
        dark |= lo < 70;
        light |= hi > 200;
    }
    assert!(dark && light, "the band is dark ({dark}) and has light text ({light})");
    let (lo, hi) = row_stats(&rendition, 1150);
    assert!(lo > 110 && hi < 146, "the plain rendition carries no watermark: {lo}..{hi}");
}

#[test]
fn the_watermark_font_has_every_character_of_the_sample_names() {
    use ab_glyph::Font;
    let font = xuncha_photo::watermark_font();
    for text in CAPTION.iter().chain(["湖南领湃锂能有限公司", "祁东县归阳镇", "°：，（）〔〕—…"].iter())
    {
        for ch in text.chars() {
            assert_ne!(font.glyph_id(ch).0, 0, "the watermark font lacks {ch} (U+{:04X})", ch as u32);
        }
    }
}

fn message(r: Result<xuncha_photo::Meta, PhotoError>) -> String {
    r.expect_err("a bad file is refused").to_string()
}

#[test]
fn an_empty_file_is_refused_by_name() {
    assert_eq!(message(read_meta(&[])), "文件为空（0 字节）");
}

#[test]
fn heic_is_refused_with_what_to_do_instead() {
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend(std::iter::repeat_n(7u8, 200));
    let m = message(read_meta(&heic));
    assert!(m.contains("HEIC") && m.contains("JPEG"), "{m}");
}

#[test]
fn other_formats_are_named_in_the_refusal() {
    let m = message(read_meta(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"));
    assert!(m.contains("GIF") && m.contains("JPEG 或 PNG"), "{m}");
    let m = message(read_meta(b"%PDF-1.7 not a photo"));
    assert!(m.contains("未知格式"), "{m}");
}

#[test]
fn a_corrupt_jpeg_is_refused() {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..5000u32).map(|i| (i * 7919 % 251) as u8));
    let m = message(read_meta(&bytes));
    assert!(m.starts_with("照片文件已损坏"), "{m}");
}

#[test]
fn a_truncated_jpeg_is_refused_or_rendered_never_a_panic_or_hang() {
    // A card pulled out while the camera wrote leaves the first part of a
    // file. Decoders differ on whether the visible part is usable; either
    // way the answer is a message or a picture of the stated size.
    let full = jpeg(&marked_picture(1200, 900));
    for cut in [3, 40, 200, full.len() / 2, full.len() - 3] {
        let bytes = &full[..cut];
        match read_meta(bytes).and_then(|m| render(bytes, &m, &[])) {
            Ok(r) => assert_eq!((r.width, r.height), (1200, 900)),
            Err(e) => assert!(e.to_string().starts_with("照片文件已损坏"), "cut at {cut}: {e}"),
        }
    }
}

/// Rewrites the size in a baseline JPEG's SOF0 segment.
fn claim_size(jpeg: &[u8], w: u16, h: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let sof = out.windows(2).position(|p| p == [0xFF, 0xC0]).expect("baseline JPEG has SOF0");
    out[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    out
}

#[test]
fn a_100_megapixel_picture_is_refused_before_it_is_decoded() {
    let bytes = claim_size(&jpeg(&marked_picture(64, 48)), 12_000, 9_000);
    match read_meta(&bytes) {
        Err(PhotoError::TooLarge { width, height, megapixels }) => {
            assert_eq!((width, height, megapixels), (12_000, 9_000, 108));
            assert!(u64::from(width) * u64::from(height) > MAX_PIXELS);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let m = message(read_meta(&bytes));
    assert!(m.contains("12000×9000") && m.contains("5000 万像素"), "{m}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The import path on damaged files: flipped bytes, cut files and
    /// spliced headers end in a picture or a Chinese message, never a
    /// panic. (The fuzz target in `fuzz/` explores the same path with
    /// coverage guidance.)
    #[test]
    fn damaged_files_get_a_message_or_a_picture(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..12),
        cut in any::<prop::sample::Index>(),
        exif in any::<bool>(),
    ) {
        let base = jpeg(&marked_picture(96, 64));
        let mut bytes = if exif {
            with_exif(
                &base,
                &Exif { orientation: Some(6), taken: Some("2026:11:22 10:31:05".into()), gps: Some(((26, 1, 2), b'N', (112, 3, 4), b'E')) },
            )
        } else {
            base
        };
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = 1 + cut.index(bytes.len());
        bytes.truncate(keep);
        match read_meta(&bytes).and_then(|m| render(&bytes, &m, &caption()).map(|r| (m, r))) {
            Ok((m, r)) => {
                let (w, h) = m.upright_size();
                prop_assert_eq!(r.width.max(r.height), w.max(h).min(RENDITION_EDGE), "the long edge fits the rendition");
                prop_assert_eq!(r.width >= r.height, w >= h, "the picture keeps its orientation");
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {}", text);
            }
        }
    }
}
