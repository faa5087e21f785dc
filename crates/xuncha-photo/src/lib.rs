//! Photo evidence: what is read from an original and what is derived from it.
//!
//! An original photo is evidence and is never changed; everything shown or
//! printed is derived from its bytes: a rendition for the screen and for
//! documents (long edge 1600 px, EXIF orientation applied), a thumbnail,
//! and a watermarked copy that states time, place, enterprise and
//! inspector. Capture time and GPS are read from EXIF here and kept by the
//! caller, because re-encoding drops EXIF.
//!
//! Bad files are answered with a [`PhotoError`] whose message says, in
//! Chinese, what is wrong with that file; the header is checked before
//! anything is decoded, so a 100-megapixel picture is refused without
//! allocating it.

pub mod synth;

use std::io::Cursor;
use std::sync::OnceLock;

use ab_glyph::{Font, FontArc, PxScale, ScaleFont};
use image::{DynamicImage, ImageReader, RgbImage};

/// Largest picture accepted, in pixels. Phone cameras stay below 50 MP;
/// larger files are scans or panoramas that are not on-site evidence, and
/// decoding one takes more memory than a field laptop should spend.
pub const MAX_PIXELS: u64 = 50_000_000;
/// Long edge of the rendition shown on screen and printed on documents.
pub const RENDITION_EDGE: u32 = 1600;
/// Long edge of the thumbnail.
pub const THUMBNAIL_EDGE: u32 = 320;
/// JPEG quality of renditions, thumbnails and watermarked copies.
const QUALITY: u8 = 85;

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("文件为空（0 字节）")]
    Empty,
    #[error("HEIC/HEIF 格式暂不支持：请在手机相机设置中选择“兼容性最佳”，或先导出为 JPEG 再导入")]
    Heic,
    #[error("不是支持的照片格式（{0}）：只能导入 JPEG 或 PNG 照片")]
    Unsupported(String),
    #[error("图片过大：{width}×{height}，约 {megapixels} 百万像素，超过 5000 万像素的上限")]
    TooLarge { width: u32, height: u32, megapixels: u64 },
    #[error("照片文件已损坏，无法读取（{0}）")]
    Corrupt(#[source] image::ImageError),
    #[error("生成照片副本失败（{0}）")]
    Encode(#[source] jpeg_encoder::EncodingError),
}

/// The stored format of an original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
}

/// A GPS position in decimal degrees (WGS-84 as cameras record it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gps {
    pub latitude: f64,
    pub longitude: f64,
}

/// What is read from an original without decoding its pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub format: Format,
    /// Width and height as stored, before orientation.
    pub width: u32,
    pub height: u32,
    /// EXIF orientation 1–8 (1 when absent or invalid).
    pub orientation: u8,
    /// EXIF DateTimeOriginal as the camera's local time, `YYYY-MM-DDTHH:MM:SS`.
    pub taken_at: Option<String>,
    pub gps: Option<Gps>,
    /// Why `taken_at` is `None` (and `None` when it is not).
    pub missing_time: Option<Missing>,
    /// Why `gps` is `None` (and `None` when it is not).
    pub missing_place: Option<Missing>,
}

/// Why a photo's capture time or place could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The file has no EXIF block: screenshots, edited copies and photos
    /// passed on through chat apps lose it.
    NoExif,
    /// The EXIF block has no such entry: the camera did not record it
    /// (for a place, location was off).
    NotRecorded,
    /// The entry is there but holds no usable value (an unset camera clock
    /// writes zeros; a position of 0°, 0° is no position).
    Unreadable,
}

impl Missing {
    /// Why the capture time is missing, in Chinese.
    pub fn time_reason(self) -> &'static str {
        match self {
            Missing::NoExif => "照片不含 EXIF 信息（截图、编辑或经聊天软件转发的照片常见）",
            Missing::NotRecorded => "相机未写入拍摄时间",
            Missing::Unreadable => "照片中的拍摄时间无效（相机时钟可能未设置）",
        }
    }

    /// Why the place is missing, in Chinese.
    pub fn place_reason(self) -> &'static str {
        match self {
            Missing::NoExif => "照片不含 EXIF 信息（截图、编辑或经聊天软件转发的照片常见）",
            Missing::NotRecorded => "拍摄时未开启定位，照片未记录位置",
            Missing::Unreadable => "照片中的位置无效",
        }
    }
}

impl Meta {
    /// Width and height as the picture is meant to be seen.
    pub fn upright_size(&self) -> (u32, u32) {
        if self.orientation >= 5 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Copies derived from an original, all JPEG.
#[derive(Debug, Clone)]
pub struct Renditions {
    pub rendition: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub watermarked: Vec<u8>,
    /// Size of the rendition and the watermarked copy.
    pub width: u32,
    pub height: u32,
}

/// Reads format, size, orientation, capture time and GPS.
pub fn read_meta(bytes: &[u8]) -> Result<Meta, PhotoError> {
    let format = sniff(bytes)?;
    let reader = ImageReader::with_format(
        Cursor::new(bytes),
        match format {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
        },
    );
    let (width, height) = reader.into_dimensions().map_err(PhotoError::Corrupt)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(PhotoError::TooLarge { width, height, megapixels: pixels.div_ceil(1_000_000) });
    }
    let mut meta = Meta {
        format,
        width,
        height,
        orientation: 1,
        taken_at: None,
        gps: None,
        missing_time: Some(Missing::NoExif),
        missing_place: Some(Missing::NoExif),
    };
    if let Some(exif) = exif_block(bytes, format) {
        read_exif(&exif, &mut meta);
    }
    Ok(meta)
}

/// The EXIF block, read leniently: a malformed entry, a dangling offset or
/// a broken thumbnail directory costs that entry, never the rest, and a
/// JPEG's `Exif` header is found even when a writer left off its padding.
fn exif_block(bytes: &[u8], format: Format) -> Option<exif::Exif> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let read = match format {
        Format::Jpeg => reader.read_raw(jpeg_tiff(bytes)?.to_vec()),
        Format::Png => reader.read_from_container(&mut Cursor::new(bytes)),
    };
    read.or_else(|e| e.distill_partial_result(|_| ())).ok()
}

/// The TIFF data of a JPEG's first APP1 `Exif` segment.
fn jpeg_tiff(bytes: &[u8]) -> Option<&[u8]> {
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        // Start of scan and end of image: no metadata follows.
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let body = bytes.get(at + 4..(at + 2 + len).min(bytes.len()))?;
        if marker == 0xE1 && body.starts_with(b"Exif") {
            // "Exif\0\0" by the standard; some writers put one NUL or none.
            let start =
                (4..body.len().min(8)).find(|&k| body[k..].starts_with(b"II*\0") || body[k..].starts_with(b"MM\0*"))?;
            return Some(&body[start..]);
        }
        at += 2 + len.max(2);
    }
    None
}

/// Decodes the whole picture, as stored (no orientation applied).
pub fn decode(bytes: &[u8], meta: &Meta) -> Result<DynamicImage, PhotoError> {
    let format = match meta.format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(meta.width);
    limits.max_image_height = Some(meta.height);
    reader.limits(limits);
    reader.decode().map_err(PhotoError::Corrupt)
}

/// Makes the rendition, thumbnail and watermarked copy. `caption` is the
/// watermark's lines (time, place, enterprise, inspector), drawn on a dark
/// band at the bottom; a line too long for the picture ends in "…".
pub fn render(bytes: &[u8], meta: &Meta, caption: &[String]) -> Result<Renditions, PhotoError> {
    let original = decode(bytes, meta)?;
    let stored = DynamicImage::ImageRgb8(match original {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => other.to_rgb8(),
    });
    let (w, h) = fit(stored.width(), stored.height(), RENDITION_EDGE);
    let mut small = resize(&stored, w, h);
    drop(stored);
    // Rotating after resizing is a fraction of the work.
    if let Some(o) = image::metadata::Orientation::from_exif(meta.orientation) {
        small.apply_orientation(o);
    }
    let (tw, th) = fit(small.width(), small.height(), THUMBNAIL_EDGE);
    let thumb = resize(&small, tw, th).into_rgb8();
    let small = small.into_rgb8();
    let mut marked = small.clone();
    draw_caption(&mut marked, caption);
    Ok(Renditions {
        width: small.width(),
        height: small.height(),
        rendition: encode(&small)?,
        thumbnail: encode(&thumb)?,
        watermarked: encode(&marked)?,
    })
}

/// The font watermarks are drawn in (Noto Sans CJK SC, trimmed; see
/// `assets/fonts/README.md`).
pub fn watermark_font() -> &'static FontArc {
    static FONT: OnceLock<FontArc> = OnceLock::new();
    FONT.get_or_init(|| {
        FontArc::try_from_slice(include_bytes!("../../../assets/fonts/NotoSansCJKsc-Regular-subset.otf"))
            .expect("the shipped watermark font parses")
    })
}

fn sniff(bytes: &[u8]) -> Result<Format, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if [b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"].iter().any(|b| brand == *b) {
            return Err(if brand == b"avif" { PhotoError::Unsupported("AVIF".into()) } else { PhotoError::Heic });
        }
    }
    let name = match image::guess_format(bytes) {
        Ok(f) => f.extensions_str().first().map_or("未知", |e| e).to_uppercase(),
        Err(_) => "未知格式".to_string(),
    };
    Err(PhotoError::Unsupported(name))
}

fn read_exif(exif: &exif::Exif, meta: &mut Meta) {
    use exif::{In, Tag, Value};
    let field = |tag: Tag| exif.get_field(tag, In::PRIMARY).map(|f| &f.value);
    if let Some(o) = field(Tag::Orientation).and_then(|v| v.get_uint(0)) {
        if (1..=8).contains(&o) {
            meta.orientation = o as u8;
        }
    }
    let times = [Tag::DateTimeOriginal, Tag::DateTimeDigitized, Tag::DateTime];
    let written: Vec<&[u8]> = times
        .iter()
        .filter_map(|&t| match field(t)? {
            Value::Ascii(parts) => parts.first().map(Vec::as_slice),
            // Some writers store the text as bytes of type UNDEFINED.
            Value::Undefined(bytes, _) => Some(bytes.as_slice()),
            _ => None,
        })
        .collect();
    meta.taken_at = written.iter().find_map(|w| capture_time(w));
    meta.missing_time = match (&meta.taken_at, written.is_empty()) {
        (Some(_), _) => None,
        (None, true) => Some(Missing::NotRecorded),
        (None, false) => Some(Missing::Unreadable),
    };

    let coord = |value: Tag, reference: Tag, negative: u8| -> Option<Option<f64>> {
        let Value::Rational(r) = field(value)? else {
            return Some(None);
        };
        // Degrees, minutes, seconds; some writers give decimal degrees
        // alone, or leave an unknown part as 0/0.
        let part = |k: usize| r.get(k).map_or(0.0, |x| if x.denom == 0 { 0.0 } else { x.to_f64() });
        if r.is_empty() || r[0].denom == 0 {
            return Some(None);
        }
        let degrees = part(0) + part(1) / 60.0 + part(2) / 3600.0;
        let sign = match field(reference) {
            Some(Value::Ascii(a))
                if a.first().and_then(|s| s.first()).map(u8::to_ascii_uppercase) == Some(negative) =>
            {
                -1.0
            }
            _ => 1.0,
        };
        Some(Some(sign * degrees))
    };
    let latitude = coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S');
    let longitude = coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W');
    meta.gps = match (latitude, longitude) {
        (Some(Some(latitude)), Some(Some(longitude)))
            if latitude.abs() <= 90.0 && longitude.abs() <= 180.0 && (latitude, longitude) != (0.0, 0.0) =>
        {
            Some(Gps { latitude, longitude })
        }
        _ => None,
    };
    meta.missing_place = match (&meta.gps, latitude.is_none() && longitude.is_none()) {
        (Some(_), _) => None,
        (None, true) => Some(Missing::NotRecorded),
        (None, false) => Some(Missing::Unreadable),
    };
}

/// A written capture time as `YYYY-MM-DDTHH:MM:SS`. Cameras write
/// `YYYY:MM:DD HH:MM:SS`; other writers use `-` in the date, `T` before the
/// time, or leave off the seconds, and all of these are read.
fn capture_time(written: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(written).ok()?.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    // A zone after the time (`+08:00`, `Z`) is not part of the camera's clock reading.
    let text = match text.get(19..) {
        Some(zone) if zone.starts_with(['+', '-', 'Z']) => &text[..19],
        _ => text,
    };
    let digits: Vec<u32> = text
        .split([':', '-', ' ', 'T', '.', '/'])
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    let (year, month, day, hour, minute, second) = match digits[..] {
        [y, mo, d, h, mi, s, ..] => (y, mo, d, h, mi, s),
        [y, mo, d, h, mi] => (y, mo, d, h, mi, 0),
        _ => return None,
    };
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = chrono::NaiveTime::from_hms_opt(hour, minute, second.min(59))?;
    (1990..=2100).contains(&year).then(|| date.and_time(time).format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// The size that fits `edge` on the long side, never enlarging.
fn fit(w: u32, h: u32, edge: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= edge {
        return (w.max(1), h.max(1));
    }
    let scale = f64::from(edge) / f64::from(long);
    (((f64::from(w) * scale).round() as u32).max(1), ((f64::from(h) * scale).round() as u32).max(1))
}

fn resize(src: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    if (src.width(), src.height()) == (w, h) {
        return src.clone();
    }
    let mut dst = DynamicImage::ImageRgb8(RgbImage::new(w, h));
    // A box filter averages each output pixel's area: right for the large
    // downscales here (12 MP to 1600 px), and the cheapest convolution.
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Box));
    Resizer::new().resize(src, &mut dst, &options).expect("both images are RGB8 of non-zero size");
    dst
}

fn encode(img: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    let encoder = jpeg_encoder::Encoder::new(&mut out, QUALITY);
    // Both sides are at most RENDITION_EDGE, far below u16::MAX.
    encoder
        .encode(img.as_raw(), img.width() as u16, img.height() as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(PhotoError::Encode)?;
    Ok(out)
}

/// Draws the caption in white on a darkened band at the bottom.
fn draw_caption(img: &mut RgbImage, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let font = watermark_font();
    let (w, h) = img.dimensions();
    let px = (w.min(h) as f32 / 28.0).clamp(14.0, 40.0);
    let scaled = font.as_scaled(PxScale::from(px));
    let line_h = (px * 1.35).ceil() as u32;
    let pad = (px * 0.5).ceil() as u32;
    let band = (line_h * lines.len() as u32 + 2 * pad).min(h);
    let top = h - band;
    for y in top..h {
        for x in 0..w {
            let p = img.get_pixel_mut(x, y);
            for c in &mut p.0 {
                *c = (u16::from(*c) * 2 / 5) as u8;
            }
        }
    }
    let max_x = w as f32 - pad as f32;
    for (i, line) in lines.iter().enumerate() {
        let baseline = top as f32 + pad as f32 + i as f32 * line_h as f32 + scaled.ascent();
        let mut x = pad as f32;
        let ellipsis_w = scaled.h_advance(font.glyph_id('…'));
        let chars: Vec<char> = line.chars().collect();
        for (k, &ch) in chars.iter().enumerate() {
            let id = font.glyph_id(ch);
            let adv = scaled.h_advance(id);
            let last = k + 1 == chars.len();
            let (ch, id, adv) = if !last && x + adv + ellipsis_w > max_x {
                ('…', font.glyph_id('…'), ellipsis_w)
            } else {
                (ch, id, adv)
            };
            if x + adv > max_x + 0.5 {
                break;
            }
            let glyph = id.with_scale_and_position(px, ab_glyph::point(x, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, cov| {
                    let (px_x, px_y) = (b.min.x as i64 + i64::from(gx), b.min.y as i64 + i64::from(gy));
                    if px_x >= 0 && px_y >= 0 && (px_x as u32) < w && (px_y as u32) < h {
                        let p = img.get_pixel_mut(px_x as u32, px_y as u32);
                        for c in &mut p.0 {
                            *c = (f32::from(*c) * (1.0 - cov) + 255.0 * cov) as u8;
                        }
                    }
                });
            }
            x += adv;
            if ch == '…' {
                break;
            }
        }
    }
}
