#!/usr/bin/env bash
# Makes the fonts rounds-pdf bundles (crates/rounds-pdf/fonts/): subsets of
# Noto Serif CJK SC Regular, Noto Sans CJK SC Bold, Noto Serif Regular and
# Noto Sans Bold, all under
# the SIL Open Font License 1.1 (crates/rounds-pdf/fonts/OFL.txt).
#
# Why a subset: typst's own fonts have no CJK, and the whole Noto Serif CJK
# collection is 26 MB per weight. What is kept:
#   - ASCII, Latin-1, Latin Extended-A, Greek, general punctuation,
#     super- and subscripts, letterlike symbols, number forms, arrows,
#     mathematical operators, enclosed alphanumerics (①), geometric shapes,
#     CJK symbols and punctuation, half- and full-width forms;
#   - every character of GB2312 (its 682 symbols and the 6763 hanzi of
#     levels 1 and 2), listed by decoding every GB2312 code;
#   - crates/rounds-pdf/fonts/extra-chars.txt (clinical terms and names
#     outside GB2312, with reasons);
#   - every character of samples/*.json and of the kinds' declarations
#     (crates/rounds-core/src/kinds/), so what ships always prints.
# The Latin font gets the non-CJK part only: the CJK font covers the rest.
#
# Inputs are Debian's packages: fonts-noto-cjk 1:20220127 (Noto*CJK-*.ttc, face 2
# is SC) and fonts-noto-core 20201225 (NotoSerif-*.ttf, NotoSans-*.ttf); the tool is
# fonttools' pyftsubset (Debian `fonttools` 4.38). Only the layout features
# horizontal Chinese and English text uses are kept (kerning, ligatures,
# marks, fractions, proportional and half-width punctuation): the Japanese,
# Korean and traditional forms (`locl`) and the vertical ones doubled the
# glyph count. Hinting, glyph names and unused name records are dropped.
# The output is the same bytes on every run (checked by running it twice).
#
# Run from anywhere: scripts/subset-fonts.sh. It overwrites the four files;
# `cargo test -p rounds-pdf` then checks that the samples print whole.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/crates/rounds-pdf/fonts"
cjk_dir=/usr/share/fonts/opentype/noto
latin_dir=/usr/share/fonts/truetype/noto

missing=()
command -v pyftsubset >/dev/null || missing+=(fonttools)
[[ -f $cjk_dir/NotoSerifCJK-Regular.ttc ]] || missing+=(fonts-noto-cjk)
[[ -f $latin_dir/NotoSans-Bold.ttf ]] || missing+=(fonts-noto-core)
if ((${#missing[@]})); then
  echo "subset-fonts: needs ${missing[*]} (apt-get install -y ${missing[*]})" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Unicode blocks, as pyftsubset's --unicodes ranges.
latin="U+0020-007E,U+00A0-017F,U+0391-03C9,U+2000-206F,U+2070-209F,U+2100-214F,U+2150-218F,U+2190-21FF,U+2200-22FF,U+2460-24FF,U+25A0-25FF,U+2713-2718"
cjk_blocks="U+3000-303F,U+FF00-FFEF"

# GB2312, the extra list, the samples and the declarations, as text.
# /usr/bin/python3 is Debian's, the one fonttools is installed for.
/usr/bin/python3 - "$root" "$work/chars.txt" <<'PY'
import glob, sys
root, out = sys.argv[1], sys.argv[2]
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for line in open(f"{root}/crates/rounds-pdf/fonts/extra-chars.txt", encoding="utf-8"):
    if not line.startswith("#"):
        chars.update(c for c in line.strip() if not c.isspace())
for path in glob.glob(f"{root}/samples/*.json") + glob.glob(f"{root}/crates/rounds-core/src/kinds/*.rs"):
    chars.update(c for c in open(path, encoding="utf-8").read() if ord(c) > 0x7F)
open(out, "w", encoding="utf-8").write("".join(sorted(chars)))
print(f"subset-fonts: {len(chars)} characters beyond ASCII", file=sys.stderr)
PY

common=(--layout-features='ccmp,calt,clig,liga,kern,mark,mkmk,frac,numr,dnom,sups,subs,palt,halt,chws' --no-hinting --name-IDs=0,1,2,3,4,5,6,13,14 --drop-tables+=DSIG)
# Body text in the serif (宋体-like, as the print view), labels and headings
# in the sans bold (黑体-like), as Chinese forms are set.
subset_cjk() { # collection, output
  pyftsubset "$cjk_dir/$1" --font-number=2 \
    --text-file="$work/chars.txt" --unicodes="$latin,$cjk_blocks" \
    "${common[@]}" --output-file="$out/$2"
}
subset_latin() { # font, output
  pyftsubset "$latin_dir/$1" --unicodes="$latin" "${common[@]}" --output-file="$out/$2"
}
subset_cjk NotoSerifCJK-Regular.ttc NotoSerifCJKsc-Regular.subset.otf
subset_cjk NotoSansCJK-Bold.ttc NotoSansCJKsc-Bold.subset.otf
subset_latin NotoSerif-Regular.ttf NotoSerif-Regular.subset.ttf
subset_latin NotoSans-Bold.ttf NotoSans-Bold.subset.ttf
ls -l "$out"/*.subset.* | awk '{print "subset-fonts:", $5, $9}'
du -ch "$out"/*.subset.* | tail -1 | sed 's/^/subset-fonts: /'
