use super::*;
use plotters::prelude::*;

/// `text` drawn black on white at plotters' `size`, through [`Typeset`] or plotters'
/// own bitmap text: the grey level of every pixel.
fn render(text: &str, size: u32, typeset: bool) -> (Vec<u8>, u32, u32) {
    crate::plot::register_fonts();
    let (w, h) = (40 + 12 * size * text.len() as u32 / 10, size * 2);
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let style = (FAMILY, size).into_font().color(&BLACK);
        let bitmap = BitMapBackend::with_buffer(&mut rgb, (w, h));
        if typeset {
            let area = Typeset::bitmap(bitmap).into_drawing_area();
            area.draw(&Text::new(text.to_string(), (10, 4), style))
                .unwrap();
            area.present().unwrap();
        } else {
            let area = bitmap.into_drawing_area();
            area.draw(&Text::new(text.to_string(), (10, 4), style))
                .unwrap();
            area.present().unwrap();
        }
    }
    (rgb.chunks(3).map(|p| p[0]).collect(), w, h)
}

/// Per column, whether any of its pixels is darker than light grey.
fn ink_columns(grey: &[u8], w: u32, h: u32) -> Vec<bool> {
    (0..w)
        .map(|x| (0..h).any(|y| grey[(y * w + x) as usize] < 160))
        .collect()
}

/// The blank gaps between the first and last inked column, as widths.
fn gaps(cols: &[bool]) -> Vec<usize> {
    let first = cols.iter().position(|&c| c).unwrap();
    let last = cols.iter().rposition(|&c| c).unwrap();
    cols[first..=last]
        .split(|&c| c)
        .map(|g| g.len())
        .filter(|&n| n > 0)
        .collect()
}

/// The words the old PNGs broke apart: at every size the plots use, the blank gaps
/// between glyphs stay within a pixel or two of each other (as the font spaces them),
/// never a hole inside a word.
#[test]
fn words_keep_together_in_the_png() {
    for size in [14, 15, 17, 22] {
        for word in [
            "unavailable",
            "confidence",
            "availability",
            "invoke",
            "office",
            "flow",
        ] {
            let (grey, w, h) = render(word, size, true);
            let g = gaps(&ink_columns(&grey, w, h));
            let (lo, hi) = (g.iter().min().unwrap(), g.iter().max().unwrap());
            assert!(hi - lo <= 2, "{word} at {size}: gaps {g:?}");
            assert!(
                *hi <= 3 + size as usize / 10,
                "{word} at {size}: gaps {g:?}"
            );
        }
    }
}

/// What the gaps looked like before: plotters' own bitmap text puts a hole in
/// "unavailable" and "confidence" (kept as a check that the test above can fail).
#[test]
fn plotters_own_bitmap_text_has_the_holes() {
    let holes = ["unavailable", "confidence"].map(|word| {
        let (grey, w, h) = render(word, 14, false);
        let g = gaps(&ink_columns(&grey, w, h));
        g.iter().max().unwrap() - g.iter().min().unwrap()
    });
    assert!(holes.iter().all(|&spread| spread >= 3), "{holes:?}");
}

/// The ink of a line of text spans the width it is measured at (what layout uses).
#[test]
fn measured_width_is_the_drawn_width() {
    let text = "write outage after crash fs0";
    let (grey, w, h) = render(text, 15, true);
    let cols = ink_columns(&grey, w, h);
    let first = cols.iter().position(|&c| c).unwrap() as i32;
    let last = cols.iter().rposition(|&c| c).unwrap() as i32;
    let (measured, _) = Sized::new(15.0, false).measure(text);
    assert!((10..=12).contains(&first), "starts at its anchor: {first}");
    assert!(
        ((last - first + 1) - measured as i32).abs() <= 3,
        "{} vs {measured}",
        last - first + 1
    );
}

/// The SVG names the font the PNG is drawn with, at the size the PNG uses.
#[test]
fn the_svg_names_the_png_font() {
    crate::plot::register_fonts();
    let mut svg = String::new();
    {
        let area =
            Typeset::vector(SVGBackend::with_string(&mut svg, (200, 40))).into_drawing_area();
        let style = (FAMILY, 15).into_font().color(&BLACK);
        area.draw(&Text::new("confidence", (4, 4), style)).unwrap();
        area.present().unwrap();
    }
    assert!(
        svg.contains("font-family=\"DejaVu Sans, Verdana, sans-serif\""),
        "{svg}"
    );
    let em = Sized::new(15.0, false).em;
    assert!(
        svg.contains(&format!("font-size=\"{}\"", 15.0 / 1.24)),
        "em {em}: {svg}"
    );
}
