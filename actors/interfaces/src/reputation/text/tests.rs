//! The profile's tables against the Unicode data (every code point), and each refused class
//! through `Metadata::validate` with the message it gives.

use icu_properties::props::{
    DefaultIgnorableCodePoint, GeneralCategory as Gc, NoncharacterCodePoint, Script as IcuScript,
};
use icu_properties::{CodePointMapData, CodePointSetData};

use super::*;
use crate::reputation::Metadata;

fn every_char() -> impl Iterator<Item = char> {
    (0..=0x10FFFFu32).filter_map(char::from_u32)
}

#[test]
fn tables_match_the_unicode_data() {
    let gc = CodePointMapData::<Gc>::new();
    let script = CodePointMapData::<IcuScript>::new();
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let noncharacter = CodePointSetData::new::<NoncharacterCodePoint>();
    let mut mismatches = Vec::new();
    for c in every_char() {
        let cp = c as u32;
        let g = gc.get32(cp);
        let expected = match g {
            Gc::Control => Some(Refused::Control),
            Gc::Format => Some(Refused::Format),
            Gc::SpaceSeparator | Gc::LineSeparator | Gc::ParagraphSeparator if c != ' ' => {
                Some(Refused::Space)
            }
            _ if ignorable.contains32(cp) || cp == 0x2800 => Some(Refused::Invisible),
            _ if noncharacter.contains32(cp) => Some(Refused::Noncharacter),
            Gc::PrivateUse => Some(Refused::PrivateUse),
            Gc::Unassigned if (0x40000..=0xEFFFF).contains(&cp) => Some(Refused::Unassigned),
            _ if (0xFF01..=0xFF5E).contains(&cp) => Some(Refused::Fullwidth),
            _ if (0x1D400..=0x1D7FF).contains(&cp) => Some(Refused::MathAlphanumeric),
            _ => None,
        };
        if refused(c) != expected {
            mismatches.push(format!(
                "U+{cp:04X}: {:?}, the data says {expected:?}",
                refused(c)
            ));
        }
        let mark = matches!(g, Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark);
        if is_mark(c) != mark {
            mismatches.push(format!("U+{cp:04X}: mark {}, category {g:?}", is_mark(c)));
        }
        let letter = matches!(
            g,
            Gc::UppercaseLetter
                | Gc::LowercaseLetter
                | Gc::TitlecaseLetter
                | Gc::ModifierLetter
                | Gc::OtherLetter
        );
        let expected_script = match script.get32(cp) {
            _ if !letter => None,
            IcuScript::Latin => Some(Script::Latin),
            IcuScript::Greek => Some(Script::Greek),
            IcuScript::Cyrillic => Some(Script::Cyrillic),
            _ => None,
        };
        if letter_script(c) != expected_script {
            mismatches.push(format!(
                "U+{cp:04X}: script {:?}, the data says {expected_script:?}",
                letter_script(c)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(50)].join("\n")
    );
}

/// General category Cf in Unicode 16 (from its UnicodeData.txt), which the data of
/// `icu_properties` (Unicode 17) must repeat and the profile must refuse exactly.
const UNICODE_16_CF: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

#[test]
fn format_characters_are_unicode_16s() {
    let gc = CodePointMapData::<Gc>::new();
    let listed = |cp: u32| UNICODE_16_CF.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp));
    for c in every_char() {
        let cp = c as u32;
        assert_eq!(gc.get32(cp) == Gc::Format, listed(cp), "U+{cp:04X} in the data");
        assert_eq!(
            refused(c) == Some(Refused::Format),
            listed(cp),
            "U+{cp:04X} in the profile"
        );
    }
}

#[test]
fn range_tables_are_sorted_and_disjoint() {
    for (name, table) in [
        ("MARKS", &MARKS[..]),
        ("LATIN", &LATIN[..]),
        ("GREEK", &GREEK[..]),
        ("CYRILLIC", &CYRILLIC[..]),
    ] {
        for pair in table.windows(2) {
            let end = (pair[0] >> 11) + (pair[0] & 0x7FF);
            assert!(end < pair[1] >> 11, "{name}: U+{end:04X} overlaps the next range");
        }
    }
}

fn named(name: &str) -> Metadata {
    Metadata {
        name: name.into(),
        region: "DE".into(),
        peer_id: vec![],
        links: vec!["https://acme.example".into()],
    }
}

/// The message of a refused name, which must name the field.
fn refusal(name: &str) -> String {
    let e = named(name).validate().expect_err(name);
    assert!(e.starts_with("name "), "{e}");
    e
}

#[test]
fn each_refused_class_names_the_code_point() {
    let cases: &[(&str, &str)] = &[
        // Controls (refused before too).
        ("a\nb", "U+000A (control character) at character 2"),
        ("bell\u{7}", "U+0007 (control character)"),
        ("esc\u{1B}[31m", "U+001B (control character)"),
        ("c1\u{85}", "U+0085 (control character)"),
        // Format characters: bidi controls, zero width, BOM, soft hyphen, others unnamed.
        (
            "good\u{202E}lam",
            "U+202E RIGHT-TO-LEFT OVERRIDE (format character) at character 5",
        ),
        ("a\u{202D}b", "U+202D LEFT-TO-RIGHT OVERRIDE (format character)"),
        (
            "a\u{2067}b\u{2069}",
            "U+2067 RIGHT-TO-LEFT ISOLATE (format character)",
        ),
        ("a\u{200F}b", "U+200F RIGHT-TO-LEFT MARK (format character)"),
        ("a\u{061C}b", "U+061C ARABIC LETTER MARK (format character)"),
        (
            "pay\u{200B}pal",
            "U+200B ZERO WIDTH SPACE (format character) at character 4",
        ),
        ("a\u{200C}b", "U+200C ZERO WIDTH NON-JOINER (format character)"),
        ("a\u{200D}b", "U+200D ZERO WIDTH JOINER (format character)"),
        ("a\u{2060}b", "U+2060 WORD JOINER (format character)"),
        (
            "\u{FEFF}acme",
            "U+FEFF ZERO WIDTH NO-BREAK SPACE (format character) at character 1",
        ),
        ("ac\u{AD}me", "U+00AD SOFT HYPHEN (format character)"),
        (
            "a\u{180E}b",
            "U+180E MONGOLIAN VOWEL SEPARATOR (format character)",
        ),
        ("\u{0600}1", "U+0600 (format character)"),
        ("a\u{FFF9}b", "U+FFF9 (format character)"),
        ("a\u{13439}", "U+13439 (format character)"),
        ("a\u{1D173}", "U+1D173 (format character)"),
        ("flag\u{E0067}", "U+E0067 (format character)"),
        // Spaces other than U+0020.
        ("a\u{A0}b", "U+00A0 NO-BREAK SPACE (space other than U+0020)"),
        ("a\u{2002}b", "U+2002 (space other than U+0020)"),
        ("a\u{3000}b", "U+3000 IDEOGRAPHIC SPACE (space other than U+0020)"),
        ("a\u{2028}b", "U+2028 LINE SEPARATOR (space other than U+0020)"),
        (
            "a\u{2029}b",
            "U+2029 PARAGRAPH SEPARATOR (space other than U+0020)",
        ),
        ("a\u{1680}b", "U+1680 (space other than U+0020)"),
        // Other invisible code points.
        (
            "a\u{034F}b",
            "U+034F COMBINING GRAPHEME JOINER (invisible character)",
        ),
        ("a\u{FE0F}", "U+FE0F VARIATION SELECTOR-16 (invisible character)"),
        ("a\u{FE00}", "U+FE00 (invisible character)"),
        ("a\u{E0100}", "U+E0100 (invisible character)"),
        ("a\u{3164}b", "U+3164 HANGUL FILLER (invisible character)"),
        ("\u{115F}", "U+115F HANGUL CHOSEONG FILLER (invisible character)"),
        (
            "a\u{1160}",
            "U+1160 HANGUL JUNGSEONG FILLER (invisible character)",
        ),
        (
            "a\u{FFA0}",
            "U+FFA0 HALFWIDTH HANGUL FILLER (invisible character)",
        ),
        ("a\u{180B}", "U+180B (invisible character)"),
        ("a\u{180F}", "U+180F (invisible character)"),
        ("a\u{17B4}", "U+17B4 (invisible character)"),
        ("a\u{2800}b", "U+2800 BRAILLE PATTERN BLANK (invisible character)"),
        ("a\u{2065}", "U+2065 (invisible character)"),
        ("a\u{E0000}", "U+E0000 (invisible character)"),
        // Private use, noncharacters, unassigned planes.
        ("a\u{E000}", "U+E000 (private-use character)"),
        ("apple\u{F8FF}", "U+F8FF (private-use character)"),
        ("a\u{F0000}", "U+F0000 (private-use character)"),
        ("a\u{10FFFD}", "U+10FFFD (private-use character)"),
        ("a\u{FDD0}", "U+FDD0 (noncharacter)"),
        ("a\u{FFFE}", "U+FFFE (noncharacter)"),
        ("a\u{1FFFF}", "U+1FFFF (noncharacter)"),
        ("a\u{10FFFF}", "U+10FFFF (noncharacter)"),
        ("a\u{40000}", "U+40000 (unassigned code point)"),
        ("a\u{E1000}", "U+E1000 (unassigned code point)"),
        // Confusable forms of ASCII.
        (
            "\u{FF50}aypal",
            "U+FF50 (fullwidth form of an ASCII character) at character 1",
        ),
        ("acme\u{FF01}", "U+FF01 (fullwidth form of an ASCII character)"),
        (
            "\u{1D429}\u{1D41A}\u{1D432}",
            "U+1D429 (mathematical alphanumeric symbol)",
        ),
        ("bank\u{1D7CF}", "U+1D7CF (mathematical alphanumeric symbol)"),
        // Combining marks first or stacked.
        ("\u{301}acme", "starts with U+0301 (combining mark)"),
        (
            "z\u{300}\u{301}\u{302}\u{303}\u{304}algo",
            "more than 4 combining marks in a row (U+0304 at character 6)",
        ),
        // Latin, Greek and Cyrillic letters mixed.
        (
            "p\u{430}ypal",
            "mixes Latin and Cyrillic letters (U+0070 at character 1, U+0430 at character 2)",
        ),
        ("\u{391}cme", "mixes Greek and Latin letters"),
        ("\u{3BF}\u{43E}", "mixes Greek and Cyrillic letters"),
        ("Acme \u{41E}\u{41E}\u{41E}", "mixes Latin and Cyrillic letters"),
    ];
    for (name, expected) in cases {
        let e = refusal(name);
        assert!(e.contains(expected), "{name:?}: {e:?} does not say {expected:?}");
    }
}

#[test]
fn names_in_any_script_and_with_marks_pass() {
    for name in [
        "Acme Storage",
        "Zürich Speicher AG",
        "Vie\u{323}\u{302}t Storage",
        "z\u{300}\u{301}\u{302}\u{303}ok",
        "Ελληνική Αποθήκευση",
        "Хранилище Данных",
        "東京ストレージ",
        "Acme 東京",
        "Tokyo 3000",
        "हिन्दी भंडारण",
        "תחסין",
        "تخزين",
        "བསྒྲུབས",
        "ไทย สตอเรจ",
        "🚀 Rocket Storage",
        "a-b_c.d (e) #1",
    ] {
        assert_eq!(named(name).validate(), Ok(()), "{name}");
    }
}

#[test]
fn names_neither_start_nor_end_with_a_space_nor_hold_two_in_a_row() {
    for name in [" Acme", "Acme ", "Ac  me", " "] {
        let e = refusal(name);
        assert!(e.contains("space"), "{name:?}: {e}");
    }
}

#[test]
fn region_and_links_refuse_the_same_code_points_by_field() {
    let ok = named("Acme");
    let region = Metadata {
        region: "D\u{202E}E".into(),
        ..ok.clone()
    };
    let e = region.validate().unwrap_err();
    assert!(
        e.starts_with("region contains U+202E RIGHT-TO-LEFT OVERRIDE (format character)"),
        "{e}"
    );
    let region = Metadata {
        region: "\u{FF24}\u{FF25}".into(),
        ..ok.clone()
    };
    let e = region.validate().unwrap_err();
    assert!(e.starts_with("region contains U+FF24 (fullwidth"), "{e}");
    let links = Metadata {
        links: vec![
            "https://acme.example".into(),
            "https://pay\u{200B}pal.example".into(),
        ],
        ..ok.clone()
    };
    let e = links.validate().unwrap_err();
    assert!(
        e.starts_with("link 2 contains U+200B ZERO WIDTH SPACE (format character)"),
        "{e}"
    );
    let links = Metadata {
        links: vec!["https://p\u{430}ypal.example".into()],
        ..ok
    };
    let e = links.validate().unwrap_err();
    assert!(e.starts_with("link 1 mixes Latin and Cyrillic letters"), "{e}");
}
