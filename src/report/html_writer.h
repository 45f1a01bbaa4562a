// `--format html`: one self-contained HTML file for a dump, a diff or a
// trend, to open in a browser or attach to an issue:
//
//   gorleak --format html dump.txt > report.html
//
// No network: no external script, style sheet, font or image, and a
// Content-Security-Policy (default-src 'none') that forbids fetching any.
// The page holds the report's data as JSON in <script type=
// "application/json"> and a small script that renders it: findings with
// severity, evidence and fix; the state table as a bar chart; groups with
// collapsible stacks, the user's frame highlighted, a filter box (a regular
// expression over function names and states) and sorting by count. A diff
// adds growth bars and the stayed/drained verdicts, a trend a line chart per
// group. Rows are rendered on demand (the first 100, then more as the page
// scrolls), so 100,000 groups stay usable.
//
// Hostile dumps render as text: every string passes text_escape (control
// characters become \xNN) before it is stored, the data script goes through
// script_json_escape, the page's few static strings through html_escape, and
// the script only ever sets textContent, never HTML.
//
// The embedded data layout is internal to the page; the HTML's structure
// (element ids, classes, data- attributes) is not a stable interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "report/report_writer.h"

namespace gorleak {

std::unique_ptr<SnapshotWriter> make_html_writer();
void write_html_diff(const DiffInput& in, ReportOutput& out);
void write_html_trend(const TrendInput& in, ReportOutput& out);

// The escaper of HTML text and quoted attribute values: text_escape's
// guarantee (no control characters), then & < > " ' as entities. Safe inside
// an element and inside a single- or double-quoted attribute.
void html_escape(std::string_view s, std::string* out);

// The escaper of JSON text placed inside <script type="application/json">:
// every '<' becomes \u003c. In JSON '<' can only occur inside a string,
// where \u003c means the same character, so the data is unchanged for
// JSON.parse, while "</script", "<!--" and "<script" can never appear in
// the element and end it early.
void script_json_escape(std::string_view json, std::string* out);

}  // namespace gorleak
