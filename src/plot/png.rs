//! A small PNG encoder for the bitmap backend's RGB buffer.
//!
//! plotters can only save PNGs to a path it opens itself, which would bypass
//! `write_atomic`; encoding here keeps every plot in memory until it is renamed into
//! place. Plots are mostly flat colour, so per-row filters plus LZ77 with fixed Huffman
//! codes (one deflate block) get within a small factor of zlib, and the output depends
//! on nothing but the pixels.

/// The PNG file of an 8-bit RGB image, `rgb.len() == width * height * 3`.
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    assert_eq!(rgb.len(), width as usize * height as usize * 3, "RGB size");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filters, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib(&filtered(width as usize * 3, rgb)));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (!(crc & 1)).wrapping_add(1));
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in bytes.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Each row prefixed by the filter (none, sub or up) whose output looks smallest: the
/// usual "minimum sum of absolute differences" rule.
fn filtered(stride: usize, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgb.len() + rgb.len() / stride);
    let zero = vec![0u8; stride];
    let mut candidates = [vec![0u8; stride], vec![0u8; stride], vec![0u8; stride]];
    for (y, row) in rgb.chunks(stride).enumerate() {
        let up = if y == 0 {
            &zero[..]
        } else {
            &rgb[(y - 1) * stride..y * stride]
        };
        for i in 0..stride {
            let left = if i >= 3 { row[i - 3] } else { 0 };
            candidates[0][i] = row[i];
            candidates[1][i] = row[i].wrapping_sub(left);
            candidates[2][i] = row[i].wrapping_sub(up[i]);
        }
        let cost = |c: &Vec<u8>| {
            c.iter()
                .map(|&b| u64::from((b as i8).unsigned_abs()))
                .sum::<u64>()
        };
        let best = (0..3)
            .min_by_key(|&k| cost(&candidates[k]))
            .expect("three filters");
        out.push(best as u8);
        out.extend_from_slice(&candidates[best]);
    }
    out
}

/// A zlib stream: header, one fixed-Huffman deflate block, Adler-32.
fn zlib(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = fixed Huffman
    lz77(data, &mut bits);
    bits.put_code(0, 7); // end of block (256)
    let mut out = vec![0x78, 0x01];
    out.extend_from_slice(&bits.finish());
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

const WINDOW: usize = 32 * 1024;
const HASH_BITS: u32 = 15;
const CHAIN: usize = 16;
const MAX_MATCH: usize = 258;

/// Greedy LZ77 over a hash of the next three bytes, with short chains.
fn lz77(data: &[u8], bits: &mut Bits) {
    let mut m = Matcher {
        data,
        head: vec![usize::MAX; 1 << HASH_BITS],
        prev: vec![usize::MAX; WINDOW],
    };
    let mut i = 0;
    while i < data.len() {
        let (len, dist) = m.longest(i);
        if len >= 3 {
            bits.put_length(len);
            bits.put_distance(dist);
            (i..i + len).for_each(|k| m.insert(k));
            i += len;
        } else {
            bits.put_literal(data[i]);
            m.insert(i);
            i += 1;
        }
    }
}

/// Where each 3-byte sequence last occurred (`head`), and before that (`prev`).
struct Matcher<'a> {
    data: &'a [u8],
    head: Vec<usize>,
    prev: Vec<usize>,
}

impl Matcher<'_> {
    fn hash(&self, i: usize) -> usize {
        let d = self.data;
        let v = u32::from(d[i]) | (u32::from(d[i + 1]) << 8) | (u32::from(d[i + 2]) << 16);
        (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
    }

    fn insert(&mut self, i: usize) {
        if i + 3 <= self.data.len() {
            let h = self.hash(i);
            self.prev[i % WINDOW] = self.head[h];
            self.head[h] = i;
        }
    }

    /// The longest earlier match for the bytes at `i`: (length, distance).
    fn longest(&self, i: usize) -> (usize, usize) {
        let data = self.data;
        if i + 3 > data.len() {
            return (0, 0);
        }
        let limit = (data.len() - i).min(MAX_MATCH);
        let (mut best, mut best_dist) = (0, 0);
        let mut candidate = self.head[self.hash(i)];
        for _ in 0..CHAIN {
            if candidate == usize::MAX || candidate >= i || i - candidate >= WINDOW {
                break;
            }
            let len = (0..limit)
                .take_while(|&k| data[candidate + k] == data[i + k])
                .count();
            if len > best {
                (best, best_dist) = (len, i - candidate);
                if len == limit {
                    break;
                }
            }
            let next = self.prev[candidate % WINDOW];
            if next == usize::MAX || next >= candidate {
                break;
            }
            candidate = next;
        }
        (best, best_dist)
    }
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Deflate's bit stream: values least significant bit first, Huffman codes most
/// significant bit first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn put_code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    /// A literal/length symbol in the fixed code (RFC 1951, 3.2.6).
    fn put_symbol(&mut self, sym: u32) {
        match sym {
            0..=143 => self.put_code(0x30 + sym, 8),
            144..=255 => self.put_code(0x190 + sym - 144, 9),
            256..=279 => self.put_code(sym - 256, 7),
            _ => self.put_code(0xC0 + sym - 280, 8),
        }
    }

    fn put_literal(&mut self, byte: u8) {
        self.put_symbol(u32::from(byte));
    }

    fn put_length(&mut self, len: usize) {
        let k = LENGTH_BASE
            .iter()
            .rposition(|&b| b as usize <= len)
            .expect("len ≥ 3");
        self.put_symbol(257 + k as u32);
        self.put(
            len as u32 - u32::from(LENGTH_BASE[k]),
            u32::from(LENGTH_EXTRA[k]),
        );
    }

    fn put_distance(&mut self, dist: usize) {
        let k = DIST_BASE
            .iter()
            .rposition(|&b| b as usize <= dist)
            .expect("dist ≥ 1");
        self.put_code(k as u32, 5);
        self.put(
            dist as u32 - u32::from(DIST_BASE[k]),
            u32::from(DIST_EXTRA[k]),
        );
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

#[cfg(test)]
mod tests;
