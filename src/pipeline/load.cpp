#include "pipeline/load.h"

#include <fmt/format.h>

#include "heap/heap_text.h"
#include "parse/parser.h"
#include "parse/tee_sink.h"
#include "pipeline/load_profile.h"
#include "pipeline/parser_feeder.h"
#include "pipeline/split_load.h"
#include "read/byte_source.h"
#include "read/line_reader.h"
#include "read/open_input.h"
#include "read/sniff.h"

namespace gorleak {

namespace {

constexpr size_t kSniffBytes = 64 * 1024;

Diagnostic error_at(const std::string& name, std::string message) {
  return Diagnostic{Severity::kError, name, 0, 0, std::move(message)};
}

LoadResult load_source(Catalog& catalog, std::unique_ptr<ByteSource> source,
                       const std::string& name, const LoadOptions& options) {
  LoadResult result;
  std::string head, error;
  if (!read_head(*source, kSniffBytes, &head, &error)) {
    result.ok = false;
    result.diagnostics.push_back(error_at(name, "read error: " + error));
    return result;
  }
  ContentKind kind = sniff_content(head);
  bool gzip = false;
  if (kind == ContentKind::kGzip) {
    // People save `debug=2` output compressed; read it as is.
    source = make_gzip_source(make_replay_source(std::move(head), std::move(source)));
    gzip = true;
    if (!read_head(*source, kSniffBytes, &head, &error)) {
      result.ok = false;
      result.diagnostics.push_back(error_at(name, error));
      return result;
    }
    kind = sniff_content(head);
  }
  if (kind == ContentKind::kPprofProto) {
    source = make_replay_source(std::move(head), std::move(source));
    return load_pprof_input(catalog, *source, name, options, gzip);
  }
  if (kind == ContentKind::kText && looks_like_heap_text(head)) {
    source = make_replay_source(std::move(head), std::move(source));
    return load_heap_text_input(catalog, *source, name);
  }
  if (kind != ContentKind::kText) {
    result.ok = false;
    std::string what(explain_content(kind));
    if (gzip) what = "gzip-compressed " + what;
    result.diagnostics.push_back(error_at(name, what));
    return result;
  }
  std::string hint_head = head.substr(0, 8192);
  source = make_replay_source(std::move(head), std::move(source));

  Grouper grouper(catalog, options.group, name, &result.snapshots);
  TeeSink tee{&grouper, options.observer};
  Parser parser(catalog, options.observer ? static_cast<DumpSink&>(tee) : grouper, name);
  LineReaderResult lr;
  if (options.jobs > 1 && options.observer == nullptr) {
    // An observer sees goroutines one by one, in order: only one thread can.
    SplitOptions split;
    split.jobs = options.jobs;
    split.block_bytes = options.split_block_bytes;
    split.max_line_bytes = options.max_line_bytes;
    split.group_by = options.group.group_by;
    SplitStats stats;
    split.stats = &stats;
    lr = read_split(*source, parser, grouper, catalog, split);
    result.split_blocks = stats.blocks;
    result.split_absorbed = stats.absorbed;
    result.split_mapped = stats.mapped;
  } else {
    ParserFeeder feeder(parser);
    lr = read_lines(*source, options.max_line_bytes, feeder);
  }
  parser.finish(lr.ended_mid_line, lr.bytes);
  result.bytes = lr.bytes;
  result.lines = lr.lines;
  if (!lr.ok) {
    result.diagnostics.push_back(Diagnostic{Severity::kError, name, lr.lines, 0,
                                            "read error: " + lr.error});
    result.ok = result.snapshots.empty() ? false : result.ok;
  }
  const ParseStats& st = parser.stats();
  // A profile header alone is a real answer ("goroutineleak profile:
  // total 0" means no leaks); a crash banner with no goroutines is not.
  bool any_profile = false;
  for (const Snapshot& s : result.snapshots) any_profile |= s.declared_total.has_value();
  if (result.snapshots.empty() || (st.goroutines == 0 && !any_profile)) {
    result.ok = false;
    std::string_view hint = describe_non_dump_text(hint_head);
    result.diagnostics.push_back(error_at(
        name, hint.empty() ? fmt::format("no goroutine dump found in {} lines", lr.lines)
                           : std::string(hint)));
    return result;
  }
  if (st.skipped_lines_outside > 0) {
    result.diagnostics.push_back(Diagnostic{
        Severity::kNote, name, 0, 0,
        fmt::format("{} lines outside the dump{} were ignored", st.skipped_lines_outside,
                    result.snapshots.size() > 1 ? "s" : "")});
  }
  return result;
}

}  // namespace

LoadResult load_dump_file(Catalog& catalog, const std::string& path,
                          const LoadOptions& options) {
  OpenedInput in = open_input(path, options.map_window_bytes);
  if (!in.source) {
    LoadResult r;
    r.ok = false;
    r.diagnostics.push_back(in.error);
    return r;
  }
  return load_source(catalog, std::move(in.source), path, options);
}

LoadResult load_dump_text(Catalog& catalog, std::string_view text, const std::string& name,
                          const LoadOptions& options) {
  return load_source(catalog, make_memory_source(text), name, options);
}

}  // namespace gorleak
