//! The text profile of provider metadata: which characters a name, region or link may not
//! hold, beyond the length and format rules of [`super::Metadata::validate`]. A display name
//! is read by people choosing a provider, so nothing in it may be invisible, reorder or
//! reshape the text around it, or pass for a different name:
//!
//! - **refused code points**, each named in the error: controls (Cc); every format character
//!   (Cf: bidi controls, zero-width spaces and joiners, the BOM, soft hyphen, Arabic and
//!   Egyptian format marks, tags); spaces other than U+0020 (Zs, Zl, Zp); the other invisible
//!   code points (`Default_Ignorable_Code_Point`, assigned or reserved: the combining grapheme
//!   joiner, variation selectors, Hangul fillers, Mongolian free variation selectors, Khmer
//!   inherent vowels; and U+2800 BRAILLE PATTERN BLANK); private use (Co); noncharacters
//!   (U+FDD0–FDEF and U+xxFFFE–xxFFFF); the unassigned planes 4–14 outside the above;
//!   fullwidth forms of ASCII (U+FF01–FF5E) and mathematical alphanumerics (U+1D400–1D7FF),
//!   which copy ASCII letters and digits;
//! - **combining marks** (M) neither first nor more than [`MAX_MARKS_IN_A_ROW`] in a row
//!   (stacked "zalgo" text), so a mark always sits on a character of the field itself;
//! - **one of Latin, Greek and Cyrillic**: the letters of a field may come from any scripts,
//!   but from at most one of these three, whose look-alikes (`pаypal` with a Cyrillic `а`)
//!   are the classic spoof. This is UTS #39's "highly restrictive" rule for these scripts;
//!   whole-script look-alikes (a name written entirely in Cyrillic that reads as Latin) need
//!   the confusables table and are not caught.
//!
//! Other unassigned code points pass: a renderer shows them as a visible "missing glyph", and
//! the registry's code never changes, so refusing them would refuse forever the characters
//! later Unicode versions assign (new scripts, emoji). Those Unicode reserves for future
//! invisible characters are refused with the default ignorables.
//!
//! The tables are small sorted ranges written here (no crate: the ones that carry general
//! categories and scripts, such as `icu_properties` and `unicode-general-category`, ship
//! tables for every category and script, tens of kilobytes in the registry's wasm, where
//! these need a few). They are checked against the Unicode data of `icu_properties` for every
//! code point by the host tests (`tests::tables_match_the_unicode_data`); that data is
//! Unicode 17, whose format characters are exactly Unicode 16's.

/// Most combining marks allowed in a row (Vietnamese stacks two, Tibetan up to four).
pub const MAX_MARKS_IN_A_ROW: usize = 4;

/// Why a code point is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Control,
    Format,
    Space,
    Invisible,
    PrivateUse,
    Noncharacter,
    Unassigned,
    Fullwidth,
    MathAlphanumeric,
}

impl Refused {
    pub fn label(self) -> &'static str {
        match self {
            Refused::Control => "control character",
            Refused::Format => "format character",
            Refused::Space => "space other than U+0020",
            Refused::Invisible => "invisible character",
            Refused::PrivateUse => "private-use character",
            Refused::Noncharacter => "noncharacter",
            Refused::Unassigned => "unassigned code point",
            Refused::Fullwidth => "fullwidth form of an ASCII character",
            Refused::MathAlphanumeric => "mathematical alphanumeric symbol",
        }
    }
}

/// Whether, and why, the profile refuses `c` wherever it appears.
pub fn refused(c: char) -> Option<Refused> {
    let cp = c as u32;
    Some(match cp {
        0x0000..=0x001F | 0x007F..=0x009F => Refused::Control,
        // General category Cf.
        0x00AD
        | 0x0600..=0x0605
        | 0x061C
        | 0x06DD
        | 0x070F
        | 0x0890..=0x0891
        | 0x08E2
        | 0x180E
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x2064
        | 0x2066..=0x206F
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F => Refused::Format,
        // Zs, Zl and Zp but U+0020.
        0x00A0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 => Refused::Space,
        // Default_Ignorable_Code_Point that is not Cf (U+2065, U+FFF0–FFF8 and most of
        // U+E0000–E0FFF are reserved), and the blank braille pattern.
        0x034F
        | 0x115F..=0x1160
        | 0x17B4..=0x17B5
        | 0x180B..=0x180D
        | 0x180F
        | 0x2065
        | 0x2800
        | 0x3164
        | 0xFE00..=0xFE0F
        | 0xFFA0
        | 0xFFF0..=0xFFF8
        | 0xE0000..=0xE0FFF => Refused::Invisible,
        0xFDD0..=0xFDEF => Refused::Noncharacter,
        _ if cp & 0xFFFE == 0xFFFE => Refused::Noncharacter,
        0xE000..=0xF8FF | 0xF0000..=0x10FFFF => Refused::PrivateUse,
        0x40000..=0xEFFFF => Refused::Unassigned,
        0xFF01..=0xFF5E => Refused::Fullwidth,
        0x1D400..=0x1D7FF => Refused::MathAlphanumeric,
        _ => return None,
    })
}

/// The Unicode name of the refused code points people meet most (the bidi controls,
/// zero-width characters and odd spaces); the others are described by their class only.
pub fn name(c: char) -> Option<&'static str> {
    Some(match c as u32 {
        0x00A0 => "NO-BREAK SPACE",
        0x00AD => "SOFT HYPHEN",
        0x034F => "COMBINING GRAPHEME JOINER",
        0x061C => "ARABIC LETTER MARK",
        0x115F => "HANGUL CHOSEONG FILLER",
        0x1160 => "HANGUL JUNGSEONG FILLER",
        0x180E => "MONGOLIAN VOWEL SEPARATOR",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x2028 => "LINE SEPARATOR",
        0x2029 => "PARAGRAPH SEPARATOR",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x202F => "NARROW NO-BREAK SPACE",
        0x2060 => "WORD JOINER",
        0x2061 => "FUNCTION APPLICATION",
        0x2062 => "INVISIBLE TIMES",
        0x2063 => "INVISIBLE SEPARATOR",
        0x2064 => "INVISIBLE PLUS",
        0x2066 => "LEFT-TO-RIGHT ISOLATE",
        0x2067 => "RIGHT-TO-LEFT ISOLATE",
        0x2068 => "FIRST STRONG ISOLATE",
        0x2069 => "POP DIRECTIONAL ISOLATE",
        0x2800 => "BRAILLE PATTERN BLANK",
        0x3000 => "IDEOGRAPHIC SPACE",
        0x3164 => "HANGUL FILLER",
        0xFE0F => "VARIATION SELECTOR-16",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE",
        0xFFA0 => "HALFWIDTH HANGUL FILLER",
        _ => return None,
    })
}

/// `U+202E RIGHT-TO-LEFT OVERRIDE`, or `U+0600` when the name is not in [`name`].
pub fn describe(c: char) -> String {
    match name(c) {
        Some(n) => format!("U+{:04X} {n}", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

/// The scripts whose letters must not mix in one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Greek,
    Cyrillic,
}

impl Script {
    pub fn name(self) -> &'static str {
        match self {
            Script::Latin => "Latin",
            Script::Greek => "Greek",
            Script::Cyrillic => "Cyrillic",
        }
    }
}

/// The script of a letter (general category L) of Latin, Greek or Cyrillic; None for any
/// other character.
pub fn letter_script(c: char) -> Option<Script> {
    let cp = c as u32;
    if cp < 0x80 {
        return c.is_ascii_alphabetic().then_some(Script::Latin);
    }
    [
        (&LATIN[..], Script::Latin),
        (&GREEK[..], Script::Greek),
        (&CYRILLIC[..], Script::Cyrillic),
    ]
    .into_iter()
    .find(|(table, _)| contains(table, cp))
    .map(|(_, s)| s)
}

/// Whether `c` is a combining mark (general category Mn, Mc or Me).
pub fn is_mark(c: char) -> bool {
    (c as u32) >= 0x0300 && contains(&MARKS, c as u32)
}

/// Why `text` breaks the profile, naming `field` and the offending code point.
pub fn check_text(field: &str, text: &str) -> Result<(), String> {
    let mut first_letter: Option<(Script, char, usize)> = None;
    let mut marks = 0;
    for (i, c) in text.chars().enumerate() {
        let at = i + 1;
        if let Some(why) = refused(c) {
            return Err(format!(
                "{field} contains {} ({}) at character {at}",
                describe(c),
                why.label()
            ));
        }
        if is_mark(c) {
            marks += 1;
            if at == 1 {
                return Err(format!(
                    "{field} starts with {} (combining mark): a mark must follow a letter",
                    describe(c)
                ));
            }
            if marks > MAX_MARKS_IN_A_ROW {
                return Err(format!(
                    "{field} has more than {MAX_MARKS_IN_A_ROW} combining marks in a row ({} at character {at})",
                    describe(c)
                ));
            }
            continue;
        }
        marks = 0;
        let Some(script) = letter_script(c) else {
            continue;
        };
        match first_letter {
            None => first_letter = Some((script, c, at)),
            Some((first, fc, fat)) if first != script => {
                return Err(format!(
                    "{field} mixes {} and {} letters ({} at character {fat}, {} at character {at}): look-alike letters of different scripts are refused",
                    first.name(),
                    script.name(),
                    describe(fc),
                    describe(c)
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Inclusive ranges packed as `start << 11 | (end − start)` (4 bytes each; a range spans at
/// most 2048 code points), sorted and disjoint (checked by the tests).
macro_rules! ranges {
    ($($lo:literal $(..= $hi:literal)?),* $(,)?) => {
        [$(pack($lo, ranges!(@hi $lo $(, $hi)?))),*]
    };
    (@hi $lo:literal) => { $lo };
    (@hi $lo:literal, $hi:literal) => { $hi };
}

const fn pack(lo: u32, hi: u32) -> u32 {
    assert!(lo <= hi && hi - lo < 2048 && hi <= 0x10FFFF);
    (lo << 11) | (hi - lo)
}

fn contains(table: &[u32], cp: u32) -> bool {
    let i = table.partition_point(|&r| r >> 11 <= cp);
    i > 0 && cp <= (table[i - 1] >> 11) + (table[i - 1] & 0x7FF)
}

/// General category M (Mn, Mc, Me).
const MARKS: [u32; 333] = ranges![
    0x0300..=0x036F,
    0x0483..=0x0489,
    0x0591..=0x05BD,
    0x05BF,
    0x05C1..=0x05C2,
    0x05C4..=0x05C5,
    0x05C7..=0x05C9,
    0x0610..=0x061A,
    0x064B..=0x065F,
    0x0670,
    0x06D6..=0x06DC,
    0x06DF..=0x06E4,
    0x06E7..=0x06E8,
    0x06EA..=0x06ED,
    0x0711,
    0x0730..=0x074A,
    0x07A6..=0x07B0,
    0x07EB..=0x07F3,
    0x07FD,
    0x0816..=0x0819,
    0x081B..=0x0823,
    0x0825..=0x0827,
    0x0829..=0x082D,
    0x0859..=0x085B,
    0x0897..=0x089F,
    0x08CA..=0x08E1,
    0x08E3..=0x0903,
    0x093A..=0x093C,
    0x093E..=0x094F,
    0x0951..=0x0957,
    0x0962..=0x0963,
    0x0981..=0x0983,
    0x09BC,
    0x09BE..=0x09C4,
    0x09C7..=0x09C8,
    0x09CB..=0x09CD,
    0x09D7,
    0x09E2..=0x09E3,
    0x09FE,
    0x0A01..=0x0A03,
    0x0A3C,
    0x0A3E..=0x0A42,
    0x0A47..=0x0A48,
    0x0A4B..=0x0A4D,
    0x0A51,
    0x0A70..=0x0A71,
    0x0A75,
    0x0A81..=0x0A83,
    0x0ABC,
    0x0ABE..=0x0AC5,
    0x0AC7..=0x0AC9,
    0x0ACB..=0x0ACD,
    0x0AE2..=0x0AE3,
    0x0AFA..=0x0AFF,
    0x0B01..=0x0B03,
    0x0B3C,
    0x0B3E..=0x0B44,
    0x0B47..=0x0B48,
    0x0B4B..=0x0B4D,
    0x0B53..=0x0B57,
    0x0B62..=0x0B63,
    0x0B82,
    0x0BBE..=0x0BC2,
    0x0BC6..=0x0BC8,
    0x0BCA..=0x0BCD,
    0x0BD7,
    0x0C00..=0x0C04,
    0x0C3C,
    0x0C3E..=0x0C44,
    0x0C46..=0x0C48,
    0x0C4A..=0x0C4D,
    0x0C55..=0x0C56,
    0x0C62..=0x0C63,
    0x0C81..=0x0C83,
    0x0CBC,
    0x0CBE..=0x0CC4,
    0x0CC6..=0x0CC8,
    0x0CCA..=0x0CCD,
    0x0CD5..=0x0CD6,
    0x0CE2..=0x0CE3,
    0x0CF3,
    0x0D00..=0x0D03,
    0x0D3B..=0x0D3C,
    0x0D3E..=0x0D44,
    0x0D46..=0x0D48,
    0x0D4A..=0x0D4D,
    0x0D57,
    0x0D62..=0x0D63,
    0x0D81..=0x0D83,
    0x0DCA,
    0x0DCF..=0x0DD4,
    0x0DD6,
    0x0DD8..=0x0DDF,
    0x0DF2..=0x0DF3,
    0x0E31,
    0x0E34..=0x0E3A,
    0x0E47..=0x0E4E,
    0x0EB1,
    0x0EB4..=0x0EBC,
    0x0EC8..=0x0ECE,
    0x0F18..=0x0F19,
    0x0F35,
    0x0F37,
    0x0F39,
    0x0F3E..=0x0F3F,
    0x0F71..=0x0F84,
    0x0F86..=0x0F87,
    0x0F8D..=0x0F97,
    0x0F99..=0x0FBC,
    0x0FC6,
    0x102B..=0x103E,
    0x1056..=0x1059,
    0x105E..=0x1060,
    0x1062..=0x1064,
    0x1067..=0x106D,
    0x1071..=0x1074,
    0x1082..=0x108D,
    0x108F,
    0x109A..=0x109D,
    0x135D..=0x135F,
    0x1712..=0x1715,
    0x1732..=0x1734,
    0x1752..=0x1753,
    0x1772..=0x1773,
    0x17B4..=0x17D3,
    0x17DD,
    0x180B..=0x180D,
    0x180F,
    0x1885..=0x1886,
    0x18A9,
    0x1920..=0x192B,
    0x1930..=0x193B,
    0x1A17..=0x1A1B,
    0x1A55..=0x1A5E,
    0x1A60..=0x1A7C,
    0x1A7F,
    0x1AB0..=0x1AF0,
    0x1B00..=0x1B04,
    0x1B34..=0x1B44,
    0x1B6B..=0x1B73,
    0x1B80..=0x1B82,
    0x1BA1..=0x1BAD,
    0x1BE6..=0x1BF3,
    0x1C24..=0x1C37,
    0x1CD0..=0x1CD2,
    0x1CD4..=0x1CE8,
    0x1CED,
    0x1CF4,
    0x1CF7..=0x1CF9,
    0x1DC0..=0x1DFF,
    0x20D0..=0x20F0,
    0x2CEF..=0x2CF1,
    0x2D7F,
    0x2DE0..=0x2DFF,
    0x302A..=0x302F,
    0x3099..=0x309A,
    0xA66F..=0xA672,
    0xA674..=0xA67D,
    0xA69E..=0xA69F,
    0xA6F0..=0xA6F1,
    0xA802,
    0xA806,
    0xA80B,
    0xA823..=0xA827,
    0xA82C,
    0xA880..=0xA881,
    0xA8B4..=0xA8C5,
    0xA8E0..=0xA8F1,
    0xA8FF,
    0xA926..=0xA92D,
    0xA947..=0xA953,
    0xA980..=0xA983,
    0xA9B3..=0xA9C0,
    0xA9E5,
    0xAA29..=0xAA36,
    0xAA43,
    0xAA4C..=0xAA4D,
    0xAA7B..=0xAA7D,
    0xAAB0,
    0xAAB2..=0xAAB4,
    0xAAB7..=0xAAB8,
    0xAABE..=0xAABF,
    0xAAC1,
    0xAAEB..=0xAAEF,
    0xAAF5..=0xAAF6,
    0xABE3..=0xABEA,
    0xABEC..=0xABED,
    0xFB1E,
    0xFE00..=0xFE0F,
    0xFE20..=0xFE2F,
    0x101FD,
    0x102E0,
    0x10376..=0x1037A,
    0x10A01..=0x10A03,
    0x10A05..=0x10A06,
    0x10A0C..=0x10A0F,
    0x10A38..=0x10A3A,
    0x10A3F,
    0x10AE5..=0x10AE6,
    0x10D24..=0x10D27,
    0x10D69..=0x10D6D,
    0x10EAB..=0x10EAC,
    0x10ECB..=0x10ECF,
    0x10EF0..=0x10EFF,
    0x10F46..=0x10F50,
    0x10F82..=0x10F85,
    0x11000..=0x11002,
    0x11038..=0x11046,
    0x11070,
    0x11073..=0x11074,
    0x1107F..=0x11082,
    0x110B0..=0x110BA,
    0x110C2,
    0x11100..=0x11102,
    0x11127..=0x11134,
    0x11145..=0x11146,
    0x11173,
    0x11180..=0x11182,
    0x111B3..=0x111C0,
    0x111C9..=0x111CC,
    0x111CE..=0x111CF,
    0x1122C..=0x11237,
    0x1123E,
    0x11241,
    0x112DF..=0x112EA,
    0x11300..=0x11303,
    0x1133B..=0x1133C,
    0x1133E..=0x11344,
    0x11347..=0x11348,
    0x1134B..=0x1134D,
    0x11357,
    0x11362..=0x11363,
    0x11366..=0x1136C,
    0x11370..=0x11374,
    0x113B8..=0x113C0,
    0x113C2,
    0x113C5,
    0x113C7..=0x113CA,
    0x113CC..=0x113D0,
    0x113D2,
    0x113E1..=0x113E2,
    0x11435..=0x11446,
    0x1145E,
    0x114B0..=0x114C3,
    0x115AF..=0x115B5,
    0x115B8..=0x115C0,
    0x115DC..=0x115DD,
    0x11630..=0x11640,
    0x116AB..=0x116B7,
    0x1171D..=0x1172B,
    0x1182C..=0x1183A,
    0x11930..=0x11935,
    0x11937..=0x11938,
    0x1193B..=0x1193E,
    0x11940,
    0x11942..=0x11943,
    0x119D1..=0x119D7,
    0x119DA..=0x119E0,
    0x119E4,
    0x11A01..=0x11A0A,
    0x11A33..=0x11A39,
    0x11A3B..=0x11A3E,
    0x11A47,
    0x11A51..=0x11A5B,
    0x11A8A..=0x11A99,
    0x11B60..=0x11B67,
    0x11C2F..=0x11C36,
    0x11C38..=0x11C3F,
    0x11C92..=0x11CA7,
    0x11CA9..=0x11CB6,
    0x11D31..=0x11D36,
    0x11D3A,
    0x11D3C..=0x11D3D,
    0x11D3F..=0x11D45,
    0x11D47,
    0x11D8A..=0x11D8E,
    0x11D90..=0x11D91,
    0x11D93..=0x11D97,
    0x11DF0,
    0x11EF3..=0x11EF6,
    0x11F00..=0x11F01,
    0x11F03,
    0x11F34..=0x11F3A,
    0x11F3E..=0x11F42,
    0x11F5A,
    0x13440,
    0x13447..=0x13455,
    0x1611E..=0x1612F,
    0x16AF0..=0x16AF4,
    0x16B30..=0x16B36,
    0x16F4F,
    0x16F51..=0x16F87,
    0x16F8F..=0x16F92,
    0x16FE4,
    0x16FF0..=0x16FF1,
    0x1BC9D..=0x1BC9E,
    0x1CF00..=0x1CF2D,
    0x1CF30..=0x1CF46,
    0x1D127..=0x1D128,
    0x1D165..=0x1D169,
    0x1D16D..=0x1D172,
    0x1D17B..=0x1D182,
    0x1D185..=0x1D18B,
    0x1D1AA..=0x1D1AD,
    0x1D242..=0x1D244,
    0x1D250..=0x1D252,
    0x1D25B..=0x1D25C,
    0x1D25F,
    0x1D280..=0x1D281,
    0x1DA00..=0x1DA36,
    0x1DA3B..=0x1DA6C,
    0x1DA75,
    0x1DA84,
    0x1DA9B..=0x1DA9F,
    0x1DAA1..=0x1DAAF,
    0x1E000..=0x1E006,
    0x1E008..=0x1E018,
    0x1E01B..=0x1E021,
    0x1E023..=0x1E024,
    0x1E026..=0x1E02A,
    0x1E08F,
    0x1E130..=0x1E136,
    0x1E2AE,
    0x1E2EC..=0x1E2EF,
    0x1E4EC..=0x1E4EF,
    0x1E5EE..=0x1E5EF,
    0x1E6E3,
    0x1E6E6,
    0x1E6EE..=0x1E6EF,
    0x1E6F5,
    0x1E8D0..=0x1E8D6,
    0x1E944..=0x1E94A,
    0xE0100..=0xE01EF,
];

/// Letters (general category L) of the three scripts; ASCII letters are also tested first.
const LATIN: [u32; 40] = ranges![
    0x0041..=0x005A,
    0x0061..=0x007A,
    0x00AA,
    0x00BA,
    0x00C0..=0x00D6,
    0x00D8..=0x00F6,
    0x00F8..=0x02B8,
    0x02E0..=0x02E4,
    0x1D00..=0x1D25,
    0x1D2C..=0x1D5C,
    0x1D62..=0x1D65,
    0x1D6B..=0x1D77,
    0x1D79..=0x1DBE,
    0x1E00..=0x1EFF,
    0x2071,
    0x207F,
    0x2090..=0x209F,
    0x212A..=0x212B,
    0x2132,
    0x214E,
    0x2183..=0x2184,
    0x2C60..=0x2C7F,
    0xA722..=0xA787,
    0xA78B..=0xA7DD,
    0xA7E2,
    0xA7F1..=0xA7FF,
    0xAB30..=0xAB5A,
    0xAB5C..=0xAB64,
    0xAB66..=0xAB69,
    0xAB6C..=0xAB6D,
    0xFB00..=0xFB06,
    0xFF21..=0xFF3A,
    0xFF41..=0xFF5A,
    0x10780..=0x10785,
    0x10787..=0x107B0,
    0x107B2..=0x107BF,
    0x1DF00..=0x1DF81,
    0x1DF90..=0x1DF96,
    0x1DFCD..=0x1DFF2,
    0x1DFF5..=0x1DFFF,
];
const GREEK: [u32; 37] = ranges![
    0x0370..=0x0373,
    0x0376..=0x0377,
    0x037A..=0x037D,
    0x037F,
    0x0386,
    0x0388..=0x038A,
    0x038C,
    0x038E..=0x03A1,
    0x03A3..=0x03E1,
    0x03F0..=0x03F5,
    0x03F7..=0x03FF,
    0x1D26..=0x1D2A,
    0x1D5D..=0x1D61,
    0x1D66..=0x1D6A,
    0x1DBF,
    0x1F00..=0x1F15,
    0x1F18..=0x1F1D,
    0x1F20..=0x1F45,
    0x1F48..=0x1F4D,
    0x1F50..=0x1F57,
    0x1F59,
    0x1F5B,
    0x1F5D,
    0x1F5F..=0x1F7D,
    0x1F80..=0x1FB4,
    0x1FB6..=0x1FBC,
    0x1FBE,
    0x1FC2..=0x1FC4,
    0x1FC6..=0x1FCC,
    0x1FD0..=0x1FD3,
    0x1FD6..=0x1FDB,
    0x1FE0..=0x1FEC,
    0x1FF2..=0x1FF4,
    0x1FF6..=0x1FFC,
    0x2126,
    0xAB65,
    0x1DFF3..=0x1DFF4,
];
const CYRILLIC: [u32; 8] = ranges![
    0x0400..=0x0481,
    0x048A..=0x052F,
    0x1C80..=0x1C8A,
    0x1D2B,
    0x1D78,
    0xA640..=0xA66E,
    0xA67F..=0xA69D,
    0x1E030..=0x1E06D,
];

#[cfg(test)]
mod tests;
