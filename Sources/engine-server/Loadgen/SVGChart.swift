import Foundation

/// A small SVG plotter for the load-test report: line charts (several series) and bar histograms, with
/// axes, "nice" ticks, a grid and a legend. Writes self-contained SVG text: no scripts, no fonts or
/// anything else fetched, so the report opens offline. Each series is a `<path class="series"
/// data-series="NAME">`, each bar a `<rect class="bar">` (tests and styles find them by these).
struct SVGChart {
    /// One line of a line chart.
    struct Series: Sendable {
        var name: String
        var points: [(x: Double, y: Double)]
        var color: String
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var width = 620.0
    var height = 300.0
    private let margin = (left: 64.0, right: 16.0, top: 34.0, bottom: 44.0)

    init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Colours of successive series.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]

    /// A line chart of `series`; `yRange` fixes the y axis (e.g. 0...100 for percentiles).
    func lines(_ series: [Series], yRange: ClosedRange<Double>? = nil) -> String {
        let all = series.flatMap(\.points)
        guard !all.isEmpty else { return empty() }
        let xs = Self.range(all.map(\.x))
        let ys = yRange ?? Self.range(all.map(\.y), includeZero: true)
        var body = frame(x: xs, y: ys)
        for s in series where !s.points.isEmpty {
            let d = s.points.enumerated().map { i, p in
                (i == 0 ? "M" : "L") + Self.n(px(p.x, xs)) + "," + Self.n(py(p.y, ys))
            }.joined(separator: " ")
            body += #"<path class="series" data-series="\#(Self.escape(s.name))" d="\#(d)" fill="none" stroke="\#(s.color)" stroke-width="1.8"/>"#
        }
        body += legend(series.map { ($0.name, $0.color) })
        return wrap(body)
    }

    /// A histogram: one bar per bucket.
    func bars(_ buckets: [HistogramBucket], color: String = palette[0]) -> String {
        guard let first = buckets.first, let last = buckets.last else { return empty() }
        let xs = Self.range([first.fromMs, last.toMs])
        let ys = Self.range(buckets.map { Double($0.count) }, includeZero: true)
        var body = frame(x: xs, y: ys)
        for b in buckets where b.count > 0 {
            let x0 = px(b.fromMs, xs), x1 = px(b.toMs, xs), y = py(Double(b.count), ys)
            body += #"<rect class="bar" x="\#(Self.n(x0))" y="\#(Self.n(y))" width="\#(Self.n(max(0.5, x1 - x0 - 0.5)))" height="\#(Self.n(py(ys.lowerBound, ys) - y))" fill="\#(color)"><title>\#(Self.n(b.fromMs))–\#(Self.n(b.toMs)) ms: \#(b.count)</title></rect>"#
        }
        return wrap(body)
    }

    // MARK: Layout

    private var plotWidth: Double { width - margin.left - margin.right }
    private var plotHeight: Double { height - margin.top - margin.bottom }

    private func px(_ x: Double, _ r: ClosedRange<Double>) -> Double {
        margin.left + (x - r.lowerBound) / max(r.upperBound - r.lowerBound, 1e-12) * plotWidth
    }

    private func py(_ y: Double, _ r: ClosedRange<Double>) -> Double {
        margin.top + plotHeight - (y - r.lowerBound) / max(r.upperBound - r.lowerBound, 1e-12) * plotHeight
    }

    /// Axes, grid, ticks, labels and title.
    private func frame(x: ClosedRange<Double>, y: ClosedRange<Double>) -> String {
        var s = #"<text x="\#(Self.n(width / 2))" y="20" text-anchor="middle" font-size="14" font-weight="bold">\#(Self.escape(title))</text>"#
        for tick in Self.ticks(y) {
            let yy = py(tick, y)
            s += #"<line class="grid" x1="\#(Self.n(margin.left))" y1="\#(Self.n(yy))" x2="\#(Self.n(width - margin.right))" y2="\#(Self.n(yy))" stroke="rgb(228,228,228)"/>"#
            s += #"<text x="\#(Self.n(margin.left - 6))" y="\#(Self.n(yy + 4))" text-anchor="end" font-size="11">\#(Self.label(tick))</text>"#
        }
        for tick in Self.ticks(x) {
            let xx = px(tick, x)
            s += #"<line class="grid" x1="\#(Self.n(xx))" y1="\#(Self.n(margin.top))" x2="\#(Self.n(xx))" y2="\#(Self.n(height - margin.bottom))" stroke="rgb(240,240,240)"/>"#
            s += #"<text x="\#(Self.n(xx))" y="\#(Self.n(height - margin.bottom + 16))" text-anchor="middle" font-size="11">\#(Self.label(tick))</text>"#
        }
        s += #"<rect x="\#(Self.n(margin.left))" y="\#(Self.n(margin.top))" width="\#(Self.n(plotWidth))" height="\#(Self.n(plotHeight))" fill="none" stroke="gray"/>"#
        s += #"<text x="\#(Self.n(margin.left + plotWidth / 2))" y="\#(Self.n(height - 8))" text-anchor="middle" font-size="12">\#(Self.escape(xLabel))</text>"#
        s += #"<text x="14" y="\#(Self.n(margin.top + plotHeight / 2))" text-anchor="middle" font-size="12" transform="rotate(-90 14 \#(Self.n(margin.top + plotHeight / 2)))">\#(Self.escape(yLabel))</text>"#
        return s
    }

    private func legend(_ entries: [(name: String, color: String)]) -> String {
        guard entries.count > 1 else { return "" }
        let longest = entries.map(\.name.count).max() ?? 0
        var s = #"<rect class="legend-box" x="\#(Self.n(margin.left + 4))" y="\#(Self.n(margin.top + 2))" width="\#(Self.n(Double(longest) * 6.2 + 40))" height="\#(Self.n(Double(entries.count) * 16 + 4))" fill="white" fill-opacity="0.85"/>"#
        for (i, entry) in entries.enumerated() {
            let y = margin.top + 12 + Double(i) * 16
            let x = margin.left + 10
            s += #"<line x1="\#(Self.n(x))" y1="\#(Self.n(y - 4))" x2="\#(Self.n(x + 18))" y2="\#(Self.n(y - 4))" stroke="\#(entry.color)" stroke-width="3"/>"#
            s += #"<text class="legend" x="\#(Self.n(x + 24))" y="\#(Self.n(y))" font-size="11">\#(Self.escape(entry.name))</text>"#
        }
        return s
    }

    private func wrap(_ body: String) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\#(Self.n(width))" height="\#(Self.n(height))" viewBox="0 0 \#(Self.n(width)) \#(Self.n(height))" font-family="sans-serif"><title>\#(Self.escape(title))</title><rect width="100%" height="100%" fill="white"/>\#(body)</svg>"#
    }

    private func empty() -> String {
        wrap(#"<text x="\#(Self.n(width / 2))" y="20" text-anchor="middle" font-size="14" font-weight="bold">\#(Self.escape(title))</text><text x="\#(Self.n(width / 2))" y="\#(Self.n(height / 2))" text-anchor="middle" font-size="12" fill="gray">no data</text>"#)
    }

    // MARK: Numbers

    /// The span of `values`, widened when flat (and to 0 when asked).
    static func range(_ values: [Double], includeZero: Bool = false) -> ClosedRange<Double> {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if includeZero { low = min(low, 0) }
        if high - low < 1e-9 { high = low + max(1, abs(low) * 0.1) }
        return low...high
    }

    /// About five round tick values (1, 2 or 5 times a power of ten apart) inside `range`.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var tick = (range.lowerBound / step).rounded(.up) * step
        var ticks: [Double] = []
        while tick <= range.upperBound + step * 1e-9, ticks.count < 20 {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    static func label(_ x: Double) -> String {
        if abs(x) >= 1000 || x == x.rounded() { return String(format: "%.0f", x) }
        if abs(x) >= 1 { return String(format: "%.1f", x) }
        return String(format: "%.2g", x)
    }

    /// A coordinate with two decimals at most.
    static func n(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
