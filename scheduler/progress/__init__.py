"""Progress measurement: recording scores (services), the series and the centre's distribution
(selectors), and the chart (chart: SVG for the web, reportlab for the report)."""
