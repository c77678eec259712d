//! Text in the plots: one layout for both outputs, and glyphs placed where the font
//! puts them in the PNGs.
//!
//! plotters' bitmap text drops each glyph's left side bearing and truncates the pen to
//! whole pixels, so PNG words fall apart ("confi dence", "unavailabl e"), and its SVG
//! asks for a font size (size / 1.24) other than the one it rasterises at. Every plot is
//! drawn through [`Typeset`], which measures text with the embedded DejaVu Sans at the
//! SVG's size and, on a bitmap, draws each glyph at its fractional pen position with its
//! bearing and kerning, anchored as the SVG anchors it (`dy` 0.76 em from the top, ±0.5
//! ex around the middle), so that the PNG and the SVG (which names the same font) agree.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};

/// The CSS font-family the SVGs name (plotters writes the family verbatim), and the
/// name the embedded font is registered under. A browser without DejaVu Sans (most
/// Linux systems have it) falls back to Verdana, as wide, so labels laid out for DejaVu
/// still fit.
pub const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// The embedded DejaVu Sans, regular or bold.
pub fn face(bold: bool) -> FontRef<'static> {
    let bytes = match bold {
        true => dejavu::sans::bold(),
        false => dejavu::sans::regular(),
    };
    FontRef::try_from_slice(bytes).expect("the embedded DejaVu Sans is a valid font")
}

/// A font at plotters' `size`: the SVG sets `font-size` to `size / 1.24` px, the em.
pub struct Sized {
    font: FontRef<'static>,
    scale: PxScale,
    pub em: f32,
}

impl Sized {
    pub fn new(size: f64, bold: bool) -> Sized {
        let font = face(bold);
        let em = (size / 1.24) as f32;
        let upem = font.units_per_em().unwrap_or(2048.0);
        let scale = PxScale::from(em * font.height_unscaled() / upem);
        Sized { font, scale, em }
    }

    /// Each glyph of `text` and its pen position from the start, and the total advance.
    pub fn layout(&self, text: &str) -> (Vec<(GlyphId, f32)>, f32) {
        let scaled = self.font.as_scaled(self.scale);
        let mut pen = 0.0f32;
        let mut prev: Option<GlyphId> = None;
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            out.push((id, pen));
            pen += scaled.h_advance(id);
            prev = Some(id);
        }
        (out, pen)
    }

    /// Width and height of `text` in pixels (the height is the em, as plotters counts).
    pub fn measure(&self, text: &str) -> (u32, u32) {
        (self.layout(text).1.ceil() as u32, self.em.round() as u32)
    }

    /// Where the baseline sits below the anchor point, as the SVG's `dy` puts it.
    fn baseline(&self, v: VPos) -> f32 {
        let x_height = 1120.0 / 2048.0 * self.em; // DejaVu Sans's OS/2 sxHeight
        match v {
            VPos::Top => 0.76 * self.em,
            VPos::Center => 0.5 * x_height,
            VPos::Bottom => -0.5 * x_height,
        }
    }

    /// Every pixel of `text` with its coverage, relative to the anchor point, before
    /// any rotation.
    pub fn pixels(&self, text: &str, h: HPos, v: VPos, mut put: impl FnMut(i32, i32, f32)) {
        let (glyphs, width) = self.layout(text);
        let x0 = match h {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let y0 = self.baseline(v);
        for (id, pen) in glyphs {
            let glyph = id.with_scale_and_position(self.scale, point(x0 + pen, y0));
            if let Some(outline) = self.font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline
                    .draw(|x, y, c| put(b.min.x as i32 + x as i32, b.min.y as i32 + y as i32, c));
            }
        }
    }
}

/// A backend whose text is measured (and, for a bitmap, drawn) by [`Sized`].
pub struct Typeset<B> {
    inner: B,
    /// Draw glyphs here (a bitmap), or hand text to the backend (SVG: `<text>`).
    raster: bool,
}

impl<B> Typeset<B> {
    pub fn bitmap(inner: B) -> Typeset<B> {
        Typeset {
            inner,
            raster: true,
        }
    }

    pub fn vector(inner: B) -> Typeset<B> {
        Typeset {
            inner,
            raster: false,
        }
    }
}

fn sized<S: BackendTextStyle>(style: &S) -> Sized {
    Sized::new(style.size(), matches!(style.style(), FontStyle::Bold))
}

type Drawn<E> = Result<(), DrawingErrorKind<E>>;

impl<B: DrawingBackend> DrawingBackend for Typeset<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Drawn<B::ErrorType> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Drawn<B::ErrorType> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, p: BackendCoord, c: BackendColor) -> Drawn<B::ErrorType> {
        self.inner.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
    ) -> Drawn<B::ErrorType> {
        self.inner.draw_line(a, b, s)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
        fill: bool,
    ) -> Drawn<B::ErrorType> {
        self.inner.draw_rect(a, b, s, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Drawn<B::ErrorType> {
        self.inner.draw_path(path, s)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        c: BackendCoord,
        r: u32,
        s: &S,
        fill: bool,
    ) -> Drawn<B::ErrorType> {
        self.inner.draw_circle(c, r, s, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        s: &S,
    ) -> Drawn<B::ErrorType> {
        self.inner.fill_polygon(vert, s)
    }
    fn blit_bitmap(
        &mut self,
        p: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Drawn<B::ErrorType> {
        self.inner.blit_bitmap(p, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        Ok(sized(style).measure(text))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn<B::ErrorType> {
        if !self.raster {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (anchor, turn) = (style.anchor(), style.transform());
        let mut pixels = Vec::new();
        sized(style).pixels(text, anchor.h_pos, anchor.v_pos, |x, y, c| {
            pixels.push((turn.transform(x, y), c))
        });
        for ((x, y), c) in pixels {
            // Coverage below half a level of 8-bit colour changes nothing.
            if c > 0.002 {
                let alpha = color.alpha * f64::from(c.min(1.0));
                let p = (pos.0 + x, pos.1 + y);
                self.inner.draw_pixel(
                    p,
                    BackendColor {
                        alpha,
                        rgb: color.rgb,
                    },
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
