//! Plots people look at: availability over time and latency distributions of a run, and
//! a sweep's metrics against the swept value. Each plot is drawn twice, to SVG and to an
//! in-memory bitmap encoded as PNG, and written atomically; the bytes depend only on the
//! data (the font is embedded, nothing reads the system).

mod availability;
mod frame;
mod latency;
pub mod look;
pub mod png;
pub mod sweep;
pub mod text;

pub use availability::Availability;
pub use frame::{Series, Style, human_duration, legend, trim};
pub use latency::Latency;

use crate::report::files::write_atomic;
use crate::run::Outcome;
use crate::scenario::Scenario;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Something that draws itself on any plotters backend.
pub trait Plot {
    /// Width and height in pixels (the SVG uses the same user units).
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static;
}

/// A plot rendered both ways.
pub struct Rendered {
    pub svg: String,
    pub png: Vec<u8>,
}

/// plotters looks fonts up by family name when it builds a text style; without system
/// fonts, the embedded DejaVu Sans must be registered under the family the plots name
/// (text is measured and drawn by [`text::Typeset`]).
fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fonts = [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
        ];
        for (style, bytes) in fonts {
            if plotters::style::register_font(text::FAMILY, style, bytes).is_err() {
                unreachable!("the embedded DejaVu Sans is a valid font");
            }
        }
    });
}

pub fn render(plot: &impl Plot) -> anyhow::Result<Rendered> {
    register_fonts();
    let (w, h) = plot.size();
    let mut svg = String::new();
    {
        let backend = text::Typeset::vector(SVGBackend::with_string(&mut svg, (w, h)));
        let area = backend.into_drawing_area();
        plot.draw(&area)?;
        area.present()?;
    }
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let backend = text::Typeset::bitmap(BitMapBackend::with_buffer(&mut rgb, (w, h)));
        let area = backend.into_drawing_area();
        plot.draw(&area)?;
        area.present()?;
    }
    Ok(Rendered {
        svg,
        png: png::encode_rgb(w, h, &rgb),
    })
}

/// Render `plot` and write `dir/stem.svg` and `dir/stem.png`, each atomically; the
/// SVG back, for pages that show it inline.
pub fn write(dir: &Path, stem: &str, plot: &impl Plot) -> anyhow::Result<String> {
    let r = render(plot)?;
    for (ext, bytes) in [("svg", r.svg.as_bytes()), ("png", &r.png[..])] {
        let path = dir.join(format!("{stem}.{ext}"));
        write_atomic(&path, bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(r.svg)
}

/// The plots of `afsim run`: `availability.{svg,png}` and `latency.{svg,png}`; their
/// SVGs back, in that order.
pub fn write_run_plots(
    dir: &Path,
    scenario: &Scenario,
    seed: u64,
    outcomes: &[Outcome],
) -> anyhow::Result<[String; 2]> {
    let availability = Availability::new(scenario, seed, outcomes);
    let availability = write(dir, "availability", &availability)?;
    let latency = write(dir, "latency", &Latency::new(scenario, seed, outcomes))?;
    Ok([availability, latency])
}
