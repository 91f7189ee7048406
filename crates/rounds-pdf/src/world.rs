//! The typst "world" of one rendering: the checked-in layout, the
//! document's data as a JSON file beside it, and the bundled fonts. Nothing
//! is read from the disk or the network: every file the layout may ask for
//! is one of these two, and any other is "not found".

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The layout, one for every kind: it walks the data, which walks the
/// kind's declaration (`crate::data`).
const LAYOUT: &str = include_str!("layout.typ");

/// Where the layout finds the data (`json("/data.json")`).
pub(crate) const DATA_PATH: &str = "/data.json";
const LAYOUT_PATH: &str = "/layout.typ";

/// The bundled fonts (`scripts/subset-fonts.sh`; OFL, `fonts/OFL.txt`): a
/// serif for body text and a sans bold for labels and headings, each a
/// Latin face and a CJK subset. The layout names the families.
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/NotoSerif-Regular.subset.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.subset.ttf"),
    include_bytes!("../fonts/NotoSerifCJKsc-Regular.subset.otf"),
    include_bytes!("../fonts/NotoSansCJKsc-Bold.subset.otf"),
];

/// The fonts, parsed once per process: parsing the CJK subsets is most of
/// the cost of a first rendering.
pub(crate) struct Fonts {
    pub(crate) fonts: Vec<Font>,
    book: LazyHash<FontBook>,
}

pub(crate) static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    Fonts { fonts, book }
});

impl Fonts {
    /// Whether some bundled font has a glyph for `c`.
    pub(crate) fn covers(&self, c: char) -> bool {
        self.fonts
            .iter()
            .any(|f| f.info().coverage.contains(u32::from(c)))
    }
}

pub(crate) struct RoundsWorld {
    library: LazyHash<Library>,
    main: Source,
    data: Bytes,
}

impl RoundsWorld {
    pub(crate) fn new(data: Vec<u8>) -> RoundsWorld {
        let main_id = FileId::new(None, VirtualPath::new(LAYOUT_PATH));
        RoundsWorld {
            library: LazyHash::new(Library::builder().build()),
            main: Source::new(main_id, LAYOUT.to_owned()),
            data: Bytes::new(data),
        }
    }
}

impl World for RoundsWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id.package().is_none() && id.vpath() == &VirtualPath::new(DATA_PATH) {
            Ok(self.data.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// The layout prints no "today": a document's PDF depends on the
    /// document alone.
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().as_rootless_path().to_owned())
}
