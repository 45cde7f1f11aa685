#!/usr/bin/env python3
"""Write services/fetcher/src/feed/code_pages.rs: the upper halves of the
single-byte code pages that feeds still name and that neither encoding_rs
(the WHATWG list) nor oem_cp holds, as Python 3's codecs define them.

    python3 scripts/code-pages.py
"""
import codecs
import pathlib

# (codec, labels a feed may give, after lowercasing and `_` -> `-`)
PAGES = [
    ("cp1125", ["cp1125", "ibm1125", "cp866u", "ruscii"]),
    ("cp856", ["cp856", "ibm856"]),
    ("koi8_t", ["koi8-t"]),
    ("mac_latin2", ["mac-latin2", "maclatin2", "maccentraleurope", "mac-centeuro"]),
    ("mac_greek", ["mac-greek", "macgreek"]),
    ("mac_iceland", ["mac-iceland", "maciceland"]),
    ("mac_turkish", ["mac-turkish", "macturkish"]),
]

out = [
    "//! Single-byte code pages that feeds still name and that neither",
    "//! encoding_rs (the WHATWG list) nor oem_cp holds: the characters of",
    "//! bytes 0x80 to 0xFF (0xFFFD where the page defines none; the lower half",
    "//! is ASCII). Written by `scripts/code-pages.py` from Python 3's codecs.",
    "",
    "#[derive(PartialEq)]",
    "pub(super) struct CodePage {",
    "    pub name: &'static str,",
    "    pub labels: &'static [&'static str],",
    "    pub high: [u16; 128],",
    "}",
    "",
    "#[rustfmt::skip]",
    "pub(super) const CODE_PAGES: &[CodePage] = &[",
]
for codec, labels in PAGES:
    for b in range(0x80):
        assert bytes([b]).decode(codec) == chr(b), (codec, b)
    high = []
    for b in range(0x80, 0x100):
        try:
            c = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            c = "\ufffd"
        assert len(c) == 1 and ord(c) <= 0xFFFF, (codec, b)
        high.append(ord(c))
    name = codecs.lookup(codec).name.replace("_", "-")
    out.append("    CodePage {")
    out.append(f'        name: "{name}",')
    out.append("        labels: &[" + ", ".join(f'"{l}"' for l in labels) + "],")
    out.append("        high: [")
    for i in range(0, 128, 8):
        out.append("            " + ", ".join(f"0x{c:04X}" for c in high[i:i + 8]) + ",")
    out.append("        ],")
    out.append("    },")
out.append("];")
path = pathlib.Path(__file__).resolve().parent.parent / "services/fetcher/src/feed/code_pages.rs"
path.write_text("\n".join(out) + "\n")
print(f"{len(PAGES)} code pages -> {path}")
