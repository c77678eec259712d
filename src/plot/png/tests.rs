//! The encoder checked against an independent decoder of what it emits: chunk CRCs,
//! the zlib header and checksum, one fixed-Huffman block, and the row filters.

use super::*;

/// Reads deflate's bit stream.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn bit(&mut self) -> u32 {
        let b = (self.bytes[self.pos / 8] >> (self.pos % 8)) & 1;
        self.pos += 1;
        u32::from(b)
    }

    fn bits(&mut self, n: u8) -> u32 {
        (0..n).map(|k| self.bit() << k).sum()
    }

    /// A Huffman code of `n` bits, most significant first.
    fn code(&mut self, n: u32) -> u32 {
        (0..n).fold(0, |acc, _| (acc << 1) | self.bit())
    }

    /// A literal/length symbol of the fixed code.
    fn symbol(&mut self) -> u32 {
        let c7 = self.code(7);
        if c7 <= 0x17 {
            return 256 + c7;
        }
        let c8 = (c7 << 1) | self.bit();
        match c8 {
            0x30..=0xBF => c8 - 0x30,
            0xC0..=0xC7 => 280 + c8 - 0xC0,
            _ => 144 + (((c8 << 1) | self.bit()) - 0x190),
        }
    }
}

fn inflate_fixed(stream: &[u8]) -> Vec<u8> {
    let mut r = Reader {
        bytes: stream,
        pos: 0,
    };
    assert_eq!(r.bits(1), 1, "final block");
    assert_eq!(r.bits(2), 1, "fixed Huffman");
    let mut out: Vec<u8> = Vec::new();
    loop {
        let sym = r.symbol();
        match sym {
            0..=255 => out.push(sym as u8),
            256 => return out,
            _ => {
                let k = (sym - 257) as usize;
                let len = LENGTH_BASE[k] as usize + r.bits(LENGTH_EXTRA[k]) as usize;
                let d = r.code(5) as usize;
                let dist = DIST_BASE[d] as usize + r.bits(DIST_EXTRA[d]) as usize;
                for _ in 0..len {
                    out.push(out[out.len() - dist]);
                }
            }
        }
    }
}

fn unfilter(stride: usize, data: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for (y, row) in data.chunks(stride + 1).enumerate() {
        for i in 0..stride {
            let left = if i >= 3 { out[y * stride + i - 3] } else { 0 };
            let up = if y > 0 { out[(y - 1) * stride + i] } else { 0 };
            let v = row[1 + i];
            out.push(match row[0] {
                0 => v,
                1 => v.wrapping_add(left),
                2 => v.wrapping_add(up),
                f => panic!("filter {f} is never written"),
            });
        }
    }
    out
}

/// The image back from a PNG this encoder wrote, checking every chunk's CRC.
fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (mut pos, mut size, mut idat) = (8, (0, 0), Vec::new());
    while pos < png.len() {
        let len = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
        let body = &png[pos + 4..pos + 8 + len];
        let crc = u32::from_be_bytes(png[pos + 8 + len..pos + 12 + len].try_into().unwrap());
        assert_eq!(crc32(body), crc, "chunk CRC");
        match &body[..4] {
            b"IHDR" => {
                let w = u32::from_be_bytes(body[4..8].try_into().unwrap());
                let h = u32::from_be_bytes(body[8..12].try_into().unwrap());
                assert_eq!(&body[12..17], &[8, 2, 0, 0, 0]);
                size = (w, h);
            }
            b"IDAT" => idat.extend_from_slice(&body[4..]),
            b"IEND" => assert_eq!(pos + 12 + len, png.len(), "IEND last"),
            other => panic!("unexpected chunk {other:?}"),
        }
        pos += 12 + len;
    }
    assert_eq!((u16::from(idat[0]) << 8 | u16::from(idat[1])) % 31, 0);
    let raw = inflate_fixed(&idat[2..idat.len() - 4]);
    let adler = u32::from_be_bytes(idat[idat.len() - 4..].try_into().unwrap());
    assert_eq!(adler32(&raw), adler);
    (size.0, size.1, unfilter(size.0 as usize * 3, &raw))
}

#[test]
fn checksums_match_their_reference_values() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
}

#[test]
fn images_come_back_pixel_for_pixel() {
    let (w, h) = (97u32, 41u32);
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    // A gradient, a line, noise: every filter and long and short matches.
    let mut x = 12345u32;
    for (i, p) in rgb.iter_mut().enumerate() {
        let (row, col) = (i / (w as usize * 3), i % (w as usize * 3));
        if row < 10 {
            *p = (col * 2) as u8;
        } else if row == 20 {
            *p = 0;
        } else if row > 30 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *p = (x >> 24) as u8;
        }
    }
    let png = encode_rgb(w, h, &rgb);
    assert_eq!(decode(&png), (w, h, rgb));
}

#[test]
fn flat_images_compress_well() {
    let (w, h) = (800u32, 600u32);
    let rgb = vec![255u8; (w * h * 3) as usize];
    let png = encode_rgb(w, h, &rgb);
    assert!(png.len() < 20_000, "{} bytes", png.len());
    assert_eq!(decode(&png).2, rgb);
}
