//! Published vectors, byte for byte: the Lotus-generated CommPs of go-fil-commp-hashhash's
//! `testdata/` (`docs/commp.md` §2) and FRC-0069's test cases for
//! piece CID v2.

use suite_commp::{
    piece_commitment, piece_commitment_of_bytes, zero_root, PieceCommitment, FR32_SHA256_TRUNC254_PADBINTREE,
    RAW,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn commp(payload: &[u8]) -> PieceCommitment {
    let one = piece_commitment_of_bytes(payload).unwrap();
    // The threaded path agrees on every vector too.
    assert_eq!(piece_commitment(payload).unwrap(), one);
    one
}

/// (payload length, byte, padded size, root, piece CID v1) from `docs/commp.md` §2.
const LOTUS: &[(usize, u8, u64, &str, &str)] = &[
    (
        96,
        0x00,
        128,
        "3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333",
        "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy",
    ),
    (
        126,
        0x00,
        128,
        "3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333",
        "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy",
    ),
    (
        127,
        0x00,
        128,
        "3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333",
        "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy",
    ),
    (
        96,
        0xcc,
        128,
        "7b0927471513af679f864b36c4aa9f7091f7c7dff736c6cfbb3eea7878658907",
        "baga6ea4seaqhwcjhi4krhl3ht6dewnwevkpxbepxy7p7onwgz65t52typbsysby",
    ),
    (
        127,
        0xcc,
        128,
        "c2ac699bb26693c01abe4a93551de64fd72b45404fb7320c416705dde7b2a426",
        "baga6ea4seaqmfldjtozgne6adk7eve2vdxte7vzlivae7nzsbrawobo546zkijq",
    ),
    (
        128,
        0x00,
        256,
        "642a607ef886b004bf2c1978463ae1d4693ac0f410eb2d1b7a47fe205e5e750f",
        "baga6ea4seaqgiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy",
    ),
    (
        254,
        0x00,
        256,
        "642a607ef886b004bf2c1978463ae1d4693ac0f410eb2d1b7a47fe205e5e750f",
        "baga6ea4seaqgiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy",
    ),
    (
        254,
        0xcc,
        256,
        "a45c39cffb4c4b4f1243108d0b324eca33fa8339779e3605748c117d7027c028",
        "baga6ea4seaqkixbzz75uys2pcjbrbdilgjhmum72qm4xphrwav2iyel5oat4aka",
    ),
    (
        1016,
        0xcc,
        1024,
        "9b98a350e9bf823839be1841164653d2fa86048b3311c2006cd4f0575191203a",
        "baga6ea4seaqjxgfdkdu37aryhg7bqqiwizj5f6ugasftgeocabwnj4cxkgisaoq",
    ),
    (
        1024,
        0x00,
        2048,
        "fc7e928296e516faade986b28f92d44a4f24b935485223376a799027bc18f833",
        "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy",
    ),
    (
        1024,
        0xcc,
        2048,
        "35bda7349a389924a71fcf1c075ca3c5e026f0e9c1f7ce73de37dce2716e4a39",
        "baga6ea4seaqdlpnhgsndrgjeu4p46hahlsr4lybg6du4d56ooppdpxhcofxeuoi",
    ),
];

#[test]
fn lotus_vectors_of_zero_and_0xcc_payloads() {
    for &(len, byte, padded, root, cid) in LOTUS {
        let c = commp(&vec![byte; len]);
        assert_eq!(hex(c.root()), root, "{len} × {byte:#04x}");
        assert_eq!(c.cid().to_string(), cid, "{len} × {byte:#04x}");
        assert_eq!(c.padded_size(), padded, "{len} × {byte:#04x}");
        assert_eq!(c.payload_size(), len as u64);
    }
}

#[test]
fn an_empty_or_tiny_payload_is_the_smallest_zero_filled_piece() {
    let zero_piece = "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy";
    for payload in [&[][..], &[0u8][..], &[0u8; 64][..]] {
        let c = commp(payload);
        assert_eq!(c.cid().to_string(), zero_piece);
        assert_eq!((c.padded_size(), c.unpadded_size()), (128, 127));
        assert_eq!(c.padding(), 127 - payload.len() as u64);
    }
    // A single non-zero byte is not the zero piece.
    assert_ne!(commp(&[1]).cid().to_string(), zero_piece);
}

/// 127 bytes of 0, 127 of 1, 127 of 2 and 127 of 3, then `zeros` zero bytes: FRC-0069's data.
fn frc69_data(zeros: usize) -> Vec<u8> {
    let mut data: Vec<u8> = (0..4u8).flat_map(|b| vec![b; 127]).collect();
    data.resize(data.len() + zeros, 0);
    data
}

#[test]
fn frc0069_piece_cid_v2_test_cases() {
    let cases: &[(Vec<u8>, &str, &str, u64, u8)] = &[
        (
            frc69_data(0),
            "baga6ea4seaqes3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi",
            "bafkzcibcaaces3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi",
            0,
            4,
        ),
        (
            vec![],
            "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy",
            "bafkzcibcp4bdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy",
            127,
            2,
        ),
        (
            vec![0; 127],
            "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy",
            "bafkzcibcaabdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy",
            0,
            2,
        ),
        (
            vec![0; 128],
            "baga6ea4seaqgiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy",
            "bafkzcibcpybwiktap34inmaex4wbs6cghlq5i2j2yd2bb2zndn5ep7ralzphkdy",
            126,
            3,
        ),
        (
            frc69_data(127 * 4),
            "baga6ea4seaqn42av3szurbbscwuu3zjssvfwbpsvbjf6y3tukvlgl2nf5rha6pa",
            "bafkzcibcaac542av3szurbbscwuu3zjssvfwbpsvbjf6y3tukvlgl2nf5rha6pa",
            0,
            5,
        ),
        (
            frc69_data(4),
            "baga6ea4seaqn42av3szurbbscwuu3zjssvfwbpsvbjf6y3tukvlgl2nf5rha6pa",
            "bafkzcibd7abqlxticxolgseegik2stpfgkkuwyf6kufex3doorkvmzpjuxwe4dz4",
            504,
            5,
        ),
        (
            frc69_data(5),
            "baga6ea4seaqn42av3szurbbscwuu3zjssvfwbpsvbjf6y3tukvlgl2nf5rha6pa",
            "bafkzcibd64bqlxticxolgseegik2stpfgkkuwyf6kufex3doorkvmzpjuxwe4dz4",
            503,
            5,
        ),
    ];
    for (data, v1, v2, padding, height) in cases {
        let c = commp(data);
        assert_eq!(c.cid().to_string(), *v1, "v1 of {} bytes", data.len());
        assert_eq!(c.cid_v2().to_string(), *v2, "v2 of {} bytes", data.len());
        assert_eq!(
            (c.padding(), c.height()),
            (*padding, *height),
            "{} bytes",
            data.len()
        );
        assert_eq!(c.cid_v2().codec(), RAW);
        assert_eq!(c.cid_v2().hash().code(), FR32_SHA256_TRUNC254_PADBINTREE);
    }
}

#[test]
fn the_zero_fill_roots_are_the_empty_32_and_64_gib_pieces() {
    // FRC-0069's v1 CIDs of the empty 32 GiB and 64 GiB pieces (levels 30 and 31), so the
    // zero fill of the largest pieces is right without hashing 64 GiB.
    let empty = |cid: &str| -> String {
        let cid = cid::Cid::try_from(cid).unwrap();
        hex(cid.hash().digest())
    };
    assert_eq!(
        hex(zero_root(30)),
        empty("baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq")
    );
    assert_eq!(
        hex(zero_root(31)),
        empty("baga6ea4seaqomqafu276g53zko4k23xzh4h4uecjwicbmvhsuqi7o4bhthhm4aq")
    );
    // And a padded-up zero piece is the same root, with the v2 CIDs FRC-0069 gives them.
    let small = commp(&[0; 127]);
    let full32 = small.padded_to(32 << 30).unwrap();
    assert_eq!(
        full32.cid().to_string(),
        "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq"
    );
    assert_eq!(hex(zero_root(2)), hex(small.root()));
    // FRC-0069's v2 of the empty pieces has padding 0: all their zeros are payload.
    for (level, v2) in [
        (
            30,
            "bafkzcibcaapao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
        ),
        (
            31,
            "bafkzcibcaap6mqafu276g53zko4k23xzh4h4uecjwicbmvhsuqi7o4bhthhm4aq",
        ),
    ] {
        let padded = 32u64 << level;
        let c = PieceCommitment::from_parts(*zero_root(level), padded, padded / 128 * 127).unwrap();
        assert_eq!(c.cid_v2().to_string(), v2);
    }
    assert_eq!(full32.padding(), (32u64 << 30) / 128 * 127 - 127);
    assert_eq!(PieceCommitment::from_parts([0; 32], 100, 0), None);
    assert_eq!(PieceCommitment::from_parts([0; 32], 128, 128), None);
}
