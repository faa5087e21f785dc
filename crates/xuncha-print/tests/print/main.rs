//! Documents checked the way an office would check them: the text poppler
//! extracts, the fonts it finds embedded, qpdf's structural check, and
//! positions measured from the PDF itself. Every PDF and its rendered
//! pages are kept under `target/print-artifacts/` to be looked at.

mod common;
mod documents;
mod layout;
mod tables;
