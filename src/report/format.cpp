#include "report/format.h"

#include <iterator>

#include <fmt/format.h>

#include "report/diff_report.h"
#include "report/dot_writer.h"
#include "report/folded_writer.h"
#include "report/goleak_writer.h"
#include "report/html_writer.h"
#include "report/json_report.h"
#include "report/jsonl_writer.h"
#include "report/prometheus_writer.h"
#include "report/sarif_writer.h"
#include "report/summary_report.h"
#include "report/text_report.h"
#include "report/trend_report.h"

namespace gorleak {

namespace {

// One line per format, in the order --help lists them.
// name, summary, analyze's default --top, analyze, diff, trend.
const Format kFormats[] = {
    {"text", "the human report (the default)", ReportOptions::kDefaultTextTop, make_text_writer,
     write_diff_text, write_trend_text},
    {"json", "the stable machine report (docs/output.md)", 0, make_json_writer, write_diff_json,
     write_trend_json},
    {"jsonl", "JSON Lines: a finding (--jsonl groups: a group) per line, for log pipelines", 0,
     make_jsonl_writer, write_jsonl_diff, write_jsonl_trend},
    {"sarif", "SARIF 2.1.0 for code scanning: one result per finding at its leak site", 0,
     make_sarif_writer, write_sarif_diff, nullptr},
    {"html", "one self-contained HTML page: findings, charts, filterable groups", 0,
     make_html_writer, write_html_diff, write_html_trend},
    {"folded", "folded stacks for flame graphs (flamegraph.pl, inferno, speedscope)", 0,
     make_folded_writer, nullptr, nullptr},
    {"prometheus", "Prometheus text metrics (node_exporter's textfile collector)", 0,
     make_prometheus_writer, nullptr, nullptr},
    {"dot", "Graphviz: who created the goroutines (--graph tree) or the call graph", 0,
     make_dot_writer, write_diff_dot, nullptr},
    {"goleak", "go.uber.org/goleak options that accept the groups no rule calls a leak", 0,
     make_goleak_writer, nullptr, nullptr},
};

}  // namespace

std::string_view format_use_name(FormatUse u) {
  switch (u) {
    case FormatUse::kAnalyze: return "analyze";
    case FormatUse::kDiff: return "diff";
    case FormatUse::kTrend: return "trend";
  }
  return "analyze";
}

bool Format::supports(FormatUse use) const {
  switch (use) {
    case FormatUse::kAnalyze: return analyze != nullptr;
    case FormatUse::kDiff: return diff != nullptr;
    case FormatUse::kTrend: return trend != nullptr;
  }
  return false;
}

std::span<const Format> formats() { return {std::begin(kFormats), std::end(kFormats)}; }

const Format* find_format(std::string_view name) {
  for (const Format& f : kFormats)
    if (f.name == name) return &f;
  return nullptr;
}

std::string format_names(FormatUse use, std::string_view separator) {
  std::string out;
  for (const Format& f : kFormats) {
    if (!f.supports(use)) continue;
    if (!out.empty()) out += separator;
    out += f.name;
  }
  return out;
}

std::string format_help(FormatUse use) {
  std::string out;
  for (const Format& f : kFormats)
    if (f.supports(use)) out += fmt::format("  {:<12}{}\n", f.name, f.summary);
  return out;
}

const Format* resolve_format(std::string_view name, FormatUse use, std::string* error) {
  const Format* f = find_format(name);
  if (f != nullptr && f->supports(use)) return f;
  std::vector<std::string_view> names;
  for (const Format& g : kFormats)
    if (g.supports(use)) names.push_back(g.name);
  std::string expected;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) expected += i + 1 == names.size() ? " or " : ", ";
    expected += names[i];
  }
  if (f != nullptr)
    *error = fmt::format("--format: {} does not apply to {}; expected {}", name,
                         format_use_name(use), expected);
  else
    *error = fmt::format("--format: expected {}, got '{}'", expected, name);
  return nullptr;
}

void write_report(const Format& format, const std::vector<Snapshot>& snapshots,
                  const Catalog& catalog, const ReportOptions& options,
                  const GroupFilter& filter, ReportOutput& out, const ReportContext* context) {
  ReportInput in(snapshots, catalog, options, filter, format.default_top, context);
  // --summary is the text report in one screen.
  std::unique_ptr<SnapshotWriter> writer =
      options.summary && format.name == "text" ? make_summary_writer() : format.analyze();
  write_snapshots(*writer, in, out);
}

}  // namespace gorleak
