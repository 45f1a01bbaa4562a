// The output formats, in one table shared by `analyze`, `diff` and `trend`
// (ripgrep's printer enum, gorleak's cli/commands.cpp): the CLI looks a
// `--format` value up here, once, and never compares format names itself.
//
// To add a format: write report/<name>_writer.{h,cpp} with the entry points
// below that apply (a SnapshotWriter factory for analyze, a function for
// diff, one for trend) and add one line to the table in format.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "report/report_writer.h"

namespace gorleak {

enum class FormatUse : uint8_t { kAnalyze, kDiff, kTrend };
std::string_view format_use_name(FormatUse u);  // "analyze", "diff", "trend"

struct Format {
  std::string_view name;     // the --format value
  std::string_view summary;  // one line for --help
  // analyze: groups shown per snapshot when --top is not given (0: all).
  size_t default_top = 0;
  // Null where the format does not apply to that command.
  std::unique_ptr<SnapshotWriter> (*analyze)() = nullptr;
  void (*diff)(const DiffInput& in, ReportOutput& out) = nullptr;
  void (*trend)(const TrendInput& in, ReportOutput& out) = nullptr;

  bool supports(FormatUse use) const;
};

std::span<const Format> formats();
const Format* find_format(std::string_view name);

// The names of the formats `use` supports, in table order, joined by
// `separator` ("text|json|dot").
std::string format_names(FormatUse use, std::string_view separator = "|");
// "  text        the human report…" lines for --help.
std::string format_help(FormatUse use);
// The format named `name` when `use` supports it; otherwise null and
// *error = "--format: expected text, json or dot for diff, got 'x'".
const Format* resolve_format(std::string_view name, FormatUse use, std::string* error);

// `analyze` in one call: selects, computes the stack facts and drives the
// format's writer (the format must support analyze).
void write_report(const Format& format, const std::vector<Snapshot>& snapshots,
                  const Catalog& catalog, const ReportOptions& options,
                  const GroupFilter& filter, ReportOutput& out,
                  const ReportContext* context = nullptr);

}  // namespace gorleak
