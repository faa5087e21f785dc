//! Fonts by role, each role a chain of faces tried in order.
//!
//! Official documents name their typefaces (仿宋_GB2312 for the body,
//! 方正小标宋 for titles, 黑体 and 楷体 for headings). Those are
//! proprietary, so Xuncha ships free stand-ins and lets an office put its
//! own files first. Office fonts usually cover GB2312 only, and real names
//! leave it (褀 in 祁东晶褀机械有限公司), so every role ends in a face that
//! covers all CJK Unified Ideographs: a character is drawn in the first
//! face of its role's chain that has it, and never as a blank box.
//!
//! A fallback face is drawn to match the role's own: body text falls back
//! to an extra-light serif, light enough to sit among 仿宋's thin strokes;
//! titles fall back to the regular serif thickened by an outline stroke; and
//! every fallback glyph is stretched to the ink height and width of the
//! role's first face, measured on a set of common characters when the book
//! loads, so an office's own face gets matching fallbacks too.
//!
//! Parsing a CJK face takes tens of milliseconds, so a [`FontBook`] is
//! loaded once and lent to every document.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use owned_ttf_parser::{AsFaceRef, OwnedFace};

use crate::PrintError;

/// The free faces shipped in `assets/fonts/`.
pub const FANG_FILE: &str = "FandolFang-Regular.otf";
pub const TITLE_FILE: &str = "NotoSerifCJKsc-Bold-subset.otf";
pub const SONG_FILE: &str = "NotoSerifCJKsc-Regular-subset.otf";
pub const HEI_FILE: &str = "NotoSansCJKsc-Regular-subset.otf";
pub const FANG_FALLBACK_FILE: &str = "NotoSerifCJKsc-ExtraLight-rare.otf";

/// Common characters whose ink boxes size a fallback face to its role's
/// first, measured on those both faces have. The trimmed fallbacks keep
/// them for this (`scripts/trim-fonts.py` lists the same characters).
pub const REFERENCE: &str = "永国东中机械有限公司环境保护检查通知书";

/// The outline stroke that thickens the regular serif to a title's weight,
/// in ems (measured: it brings the regular face's ink coverage within 5%
/// of the bold face's).
const TITLE_EMBOLDEN: f32 = 0.02;

/// How a fallback face's glyph is drawn to match its role's first face:
/// scaled by `scale` (vertically) and `stretch` (horizontally, relative to
/// the vertical scale), raised by `rise` ems, and thickened by an outline
/// stroke `embolden` ems wide. The glyph keeps its place on the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adjust {
    pub scale: f32,
    pub stretch: f32,
    pub rise: f32,
    pub embolden: f32,
}

/// What a piece of text is set in, as an office would name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 仿宋: body text.
    Fang,
    /// 小标宋: titles and the issuing office's mark.
    Title,
    /// 黑体: first-level headings and table heads.
    Hei,
    /// 宋体: forms, page numbers and captions.
    Song,
}

/// An office's own font files, put in front of the shipped ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficeFonts {
    /// The office's 仿宋_GB2312 (or another 仿宋).
    pub fang: Option<PathBuf>,
    /// The office's 方正小标宋.
    pub title: Option<PathBuf>,
}

impl From<&xuncha_core::notice::DocumentFonts> for OfficeFonts {
    fn from(f: &xuncha_core::notice::DocumentFonts) -> Self {
        OfficeFonts { fang: f.fang.as_ref().map(PathBuf::from), title: f.title.as_ref().map(PathBuf::from) }
    }
}

/// One parsed face: metrics for layout and the parsed font for embedding.
pub(crate) struct Face {
    pub(crate) name: String,
    metrics: OwnedFace,
    pub(crate) pdf: printpdf::ParsedFont,
}

impl Face {
    fn load(path: &Path) -> Result<Face, PrintError> {
        let bytes = std::fs::read(path).map_err(|source| PrintError::FontFile { path: path.to_owned(), source })?;
        let bad = |why: String| PrintError::BadFont { path: path.to_owned(), why };
        let mut warnings = Vec::new();
        let pdf = printpdf::ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| bad("不是可用的 OpenType/TrueType 字体".into()))?;
        let metrics = OwnedFace::from_vec(bytes, 0).map_err(|e| bad(e.to_string()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Face { name, metrics, pdf })
    }

    fn has(&self, c: char) -> bool {
        self.metrics.as_face_ref().glyph_index(c).is_some()
    }

    /// The mean ink box (width, height, vertical centre) of `chars`, in
    /// ems; `None` unless every one has a non-empty box.
    fn ink(&self, chars: &[char]) -> Option<(f32, f32, f32)> {
        let face = self.metrics.as_face_ref();
        let upem = f32::from(face.units_per_em());
        let boxes: Vec<_> = chars
            .iter()
            .filter_map(|&c| face.glyph_index(c).and_then(|g| face.glyph_bounding_box(g)))
            .map(|b| {
                let (w, h) = (f32::from(b.x_max) - f32::from(b.x_min), f32::from(b.y_max) - f32::from(b.y_min));
                (w / upem, h / upem, (f32::from(b.y_max) + f32::from(b.y_min)) / 2.0 / upem)
            })
            .collect();
        let n = boxes.len() as f32;
        let sum = boxes.iter().fold((0.0, 0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        (boxes.len() == chars.len() && !chars.is_empty() && sum.0 > 0.0 && sum.1 > 0.0)
            .then(|| (sum.0 / n, sum.1 / n, sum.2 / n))
    }

    /// Horizontal advance of `c` as a fraction of the em.
    fn advance(&self, c: char) -> f32 {
        let face = self.metrics.as_face_ref();
        let upem = f32::from(face.units_per_em());
        face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).map_or(1.0, |a| f32::from(a) / upem)
    }
}

fn is_ideograph(c: char) -> bool {
    matches!(u32::from(c), 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Every face a document may use, and the chain of faces per role.
#[derive(Clone)]
pub struct FontBook {
    faces: Arc<Vec<Face>>,
    fang: Vec<Link>,
    title: Vec<Link>,
    hei: Vec<Link>,
    song: Vec<Link>,
}

/// A face in a role's chain, with how its glyphs are drawn there.
#[derive(Debug, Clone, Copy)]
struct Link {
    face: usize,
    adjust: Option<Adjust>,
}

impl std::fmt::Debug for FontBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.faces.iter().map(|face| face.name.as_str()).collect();
        f.debug_struct("FontBook").field("faces", &names).finish()
    }
}

impl FontBook {
    /// Loads the shipped faces from `dir` and the office's own in front.
    pub fn load(dir: &Path, office: &OfficeFonts) -> Result<FontBook, PrintError> {
        let mut faces = Vec::new();
        let mut add = |path: &Path| -> Result<usize, PrintError> {
            faces.push(Face::load(path)?);
            Ok(faces.len() - 1)
        };
        let office_fang = office.fang.as_deref().map(&mut add).transpose()?;
        let office_title = office.title.as_deref().map(&mut add).transpose()?;
        let fang = add(&dir.join(FANG_FILE))?;
        let fang_fallback = add(&dir.join(FANG_FALLBACK_FILE))?;
        let title = add(&dir.join(TITLE_FILE))?;
        let song = add(&dir.join(SONG_FILE))?;
        let hei = add(&dir.join(HEI_FILE))?;
        let reference: Vec<char> = REFERENCE.chars().collect();
        // A chain's first face sets the size; each later face is fitted to it.
        let chain = |faces: &[Face], first: Option<usize>, rest: &[(usize, f32)]| -> Vec<Link> {
            let all: Vec<(usize, f32)> = first.map(|f| (f, 0.0)).into_iter().chain(rest.iter().copied()).collect();
            let lead = &faces[all[0].0];
            all.iter()
                .enumerate()
                .map(|(n, &(face, embolden))| {
                    let both: Vec<char> =
                        reference.iter().copied().filter(|&c| lead.has(c) && faces[face].has(c)).collect();
                    let adjust = match (n, lead.ink(&both), faces[face].ink(&both)) {
                        (0, ..) => None,
                        (_, Some((lw, lh, lc)), Some((w, h, c))) => {
                            let scale = lh / h;
                            Some(Adjust { scale, stretch: (lw / w) / scale, rise: lc - c * scale, embolden })
                        }
                        _ => None,
                    };
                    Link { face, adjust }
                })
                .collect()
        };
        Ok(FontBook {
            fang: chain(&faces, office_fang, &[(fang, 0.0), (fang_fallback, 0.0), (song, 0.0)]),
            title: chain(&faces, office_title, &[(title, 0.0), (song, TITLE_EMBOLDEN)]),
            hei: chain(&faces, None, &[(hei, 0.0), (song, 0.0)]),
            song: chain(&faces, None, &[(song, 0.0)]),
            faces: Arc::new(faces),
        })
    }

    /// The shipped fonts folder: `$XUNCHA_FONTS`, else where an installed
    /// program finds them ([`FontBook::installed_dir`]), else the source
    /// tree's.
    pub fn shipped_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("XUNCHA_FONTS") {
            return dir.into();
        }
        let exe_dir = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_owned));
        exe_dir
            .and_then(|d| FontBook::installed_dir(&d))
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts"))
    }

    /// The fonts of a program installed in `exe_dir`: `fonts/` beside it,
    /// or the share folder the package installs (`/usr/share/xuncha/fonts`
    /// for `/usr/bin`).
    pub fn installed_dir(exe_dir: &Path) -> Option<PathBuf> {
        [exe_dir.join("fonts"), exe_dir.join("../share/xuncha/fonts")]
            .into_iter()
            .find(|dir| dir.join(FANG_FILE).is_file())
    }

    fn chain(&self, role: Role) -> &[Link] {
        match role {
            Role::Fang => &self.fang,
            Role::Title => &self.title,
            Role::Hei => &self.hei,
            Role::Song => &self.song,
        }
    }

    /// The face that draws `c` in `role`: the first in the chain that has
    /// it, else the chain's last (which shows the missing-glyph box).
    pub(crate) fn face_for(&self, role: Role, c: char) -> usize {
        self.link_for(role, c).face
    }

    /// The face that draws `c` in `role` and how (see [`FontBook::adjust_for`]).
    pub(crate) fn glyph_face(&self, role: Role, c: char) -> (usize, Option<Adjust>) {
        let link = self.link_for(role, c);
        (link.face, link.adjust.filter(|_| is_ideograph(c)))
    }

    fn link_for(&self, role: Role, c: char) -> Link {
        let chain = self.chain(role);
        chain.iter().copied().find(|l| self.faces[l.face].has(c)).unwrap_or(chain[chain.len() - 1])
    }

    /// How `c` is drawn in `role` when a fallback face draws it: a Han
    /// character fitted to the role's first face. `None` for the first
    /// face's own characters and for symbols.
    pub fn adjust_for(&self, role: Role, c: char) -> Option<Adjust> {
        self.glyph_face(role, c).1
    }

    pub(crate) fn advance(&self, face: usize, c: char) -> f32 {
        self.faces[face].advance(c)
    }

    pub(crate) fn face(&self, i: usize) -> &Face {
        &self.faces[i]
    }

    /// Characters of `text` that no face of `role` can draw.
    pub fn missing(&self, role: Role, text: &str) -> Vec<char> {
        let mut missing: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && !self.chain(role).iter().any(|l| self.faces[l.face].has(*c)))
            .collect();
        missing.dedup();
        missing
    }

    /// The file name of the face that draws `c` in `role`.
    pub fn face_name(&self, role: Role, c: char) -> &str {
        &self.faces[self.face_for(role, c)].name
    }
}
