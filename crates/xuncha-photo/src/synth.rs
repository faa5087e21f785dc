//! Generated photos with known content and EXIF, for tests, benchmarks and
//! the fuzz corpus: a camera's file is reproduced byte for byte from a
//! seed, so a failure can be replayed.

use std::io::Cursor;

use exif::{Field, In, Rational, Tag, Value};
use image::{Rgb, RgbImage};

/// Degrees, minutes and whole seconds.
pub type Dms = (u32, u32, u32);

/// What to write into a generated photo's EXIF.
#[derive(Debug, Clone, Default)]
pub struct Exif {
    pub orientation: Option<u16>,
    /// `YYYY:MM:DD HH:MM:SS`, as cameras write it.
    pub taken: Option<String>,
    /// Latitude and longitude in degrees, minutes, seconds, with `N`/`S`
    /// and `E`/`W`.
    pub gps: Option<(Dms, u8, Dms, u8)>,
}

/// Encodes a picture as a baseline JPEG at quality 90.
pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(img.as_raw(), img.width() as u16, img.height() as u16, jpeg_encoder::ColorType::Rgb)
        .expect("a generated picture encodes");
    out
}

/// A picture with detail everywhere (gradients and seeded noise), so its
/// JPEG is as large and as slow to decode as a camera's.
pub fn scene(w: u32, h: u32, seed: u32) -> RgbImage {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x0f) as u8;
        Rgb([
            ((x * 255 / w.max(1)) as u8).wrapping_add(noise),
            ((y * 255 / h.max(1)) as u8).wrapping_add(noise / 2),
            (((x + y) / 7) as u8).wrapping_add(noise),
        ])
    })
}

/// Inserts an APP1 Exif segment right after the JPEG's SOI marker.
pub fn with_exif(jpeg: &[u8], e: &Exif) -> Vec<u8> {
    let dms = |(d, m, s): Dms| {
        Value::Rational(vec![
            Rational { num: d, denom: 1 },
            Rational { num: m, denom: 1 },
            Rational { num: s * 100, denom: 100 },
        ])
    };
    let mut fields = Vec::new();
    if let Some(o) = e.orientation {
        fields.push(Field { tag: Tag::Orientation, ifd_num: In::PRIMARY, value: Value::Short(vec![o]) });
    }
    if let Some(t) = &e.taken {
        fields.push(Field {
            tag: Tag::DateTimeOriginal,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![t.as_bytes().to_vec()]),
        });
    }
    if let Some((lat, ns, lon, ew)) = e.gps {
        fields.push(Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![vec![ns]]) });
        fields.push(Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: dms(lat) });
        fields.push(Field { tag: Tag::GPSLongitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![vec![ew]]) });
        fields.push(Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: dms(lon) });
    }
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).expect("generated EXIF fields are valid");
    let tiff = tiff.into_inner();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}
