//! The report's chart: one bar panel per scenario showing its headline figure
//! (the median over runs) for every server, plus echo-http's tail latency, the
//! flood's slowest ping, and peak RSS and private memory side by side wherever
//! the run measured both, drawn as SVG with plotters.

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::report::number;
use super::results::Results;
use super::scenarios::{Metric, Scenario};
use super::servers::Kind;

/// The whole chart, in SVG pixels: four panels across, three down, each wide
/// enough for four labelled bars.
const SIZE: (u32, u32) = (1600, 1120);

/// The panels' grid: rows, columns.
const GRID: (usize, usize) = (3, 4);

/// The panels, left to right, top to bottom: the headline of every scenario
/// but echo-2026 (whose target compares mcpwire with itself), with
/// echo-http's p99 next to its rate (32 connections queue, and the tail is
/// where servers differ), the flood's slowest ping (it has a target), and
/// peak RSS beside private memory for the flood and idle-memory.
const PANELS: [(Scenario, Metric); 12] = [
    (Scenario::EchoSerial, Metric::CallsPerSec),
    (Scenario::EchoPipelined, Metric::CallsPerSec),
    (Scenario::EchoHttp, Metric::CallsPerSec),
    (Scenario::EchoHttp, Metric::P99Micros),
    (Scenario::EchoHttp2026, Metric::CallsPerSec),
    (Scenario::AskClient, Metric::RoundTripsPerSec),
    (Scenario::Flood, Metric::PingMaxMillis),
    (Scenario::Flood, Metric::PeakRssMib),
    (Scenario::Flood, Metric::PrivateRssMib),
    (Scenario::IdleMemory, Metric::PrivateRssMib),
    (Scenario::IdleMemory, Metric::PeakRssMib),
    (Scenario::IdleSessions, Metric::PrivateKibPerSession),
];

/// A fixed colour per server, so each reads the same in every panel.
fn colour(kind: Kind) -> RGBColor {
    match kind {
        Kind::Floor => RGBColor(140, 140, 140),
        Kind::Rmcp => RGBColor(222, 110, 40),
        Kind::TsSdk => RGBColor(50, 110, 190),
        Kind::Mcpwire => RGBColor(40, 160, 90),
    }
}

/// Renders the chart as an SVG document.
pub(crate) fn svg(results: &Results, subtitle: &str) -> Result<String> {
    let mut svg = String::new();
    draw(results, subtitle, &mut svg).map_err(|e| anyhow!("drawing the chart: {e}"))?;
    Ok(svg)
}

fn draw(results: &Results, subtitle: &str, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled("mcpwire benchmarks", ("sans-serif", 26))?;
    let (header, body) = root.split_vertically(24);
    header.draw(&Text::new(
        subtitle.to_owned(),
        (SIZE.0 as i32 / 2, 4),
        ("sans-serif", 14).into_font().color(&BLACK.mix(0.7)).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let panels = body.split_evenly(GRID);
    let kinds: Vec<Kind> = results.servers.iter().map(|server| server.kind).collect();
    // Plotters' integer ranges are inclusive, so 0..last gives one segment per server.
    let last = kinds.len().saturating_sub(1);
    for (panel, (scenario, metric)) in panels.iter().zip(PANELS) {
        let values: Vec<Option<f64>> = kinds.iter().map(|kind| results.median(scenario, *kind, metric)).collect();
        let top = values.iter().flatten().copied().fold(0.0, f64::max);
        let top = if top > 0.0 { top * 1.2 } else { 1.0 };
        let better = if metric.higher_is_better() { "higher is better" } else { "lower is better" };
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("{}: {} ({better})", scenario.name(), metric.label()), ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d((0..last).into_segmented(), 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|value| match value {
                SegmentValue::CenterOf(i) => kinds.get(*i).map_or_else(String::new, |kind| kind.name().to_owned()),
                _ => String::new(),
            })
            .y_label_formatter(&|value| number(*value, 0))
            .label_style(("sans-serif", 12))
            .draw()?;
        chart.draw_series(values.iter().enumerate().filter_map(|(i, value)| {
            let value = (*value)?;
            let mut bar = Rectangle::new(
                [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), value)],
                colour(kinds[i]).filled(),
            );
            bar.set_margin(0, 0, 12, 12);
            Some(bar)
        }))?;
        chart.draw_series(values.iter().enumerate().map(|(i, value)| {
            let (text, at) = match value {
                Some(value) => (number(*value, metric.decimals()), *value),
                None => ("n/a".to_owned(), 0.0),
            };
            Text::new(
                text,
                (SegmentValue::CenterOf(i), at),
                ("sans-serif", 12).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        }))?;
    }
    root.present()?;
    Ok(())
}
