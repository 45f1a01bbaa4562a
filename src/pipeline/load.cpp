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

// Reports progress after each window; the parse stats appear once the
// parser exists.
class ProgressSource : public ByteSource {
 public:
  ProgressSource(std::unique_ptr<ByteSource> inner,
                 const std::function<void(uint64_t, uint64_t)>& progress)
      : inner_(std::move(inner)), progress_(progress) {}
  void watch(const ParseStats* stats) { stats_ = stats; }
  long read(char* buf, size_t n, std::string* error) override {
    return report(inner_->read(buf, n, error));
  }
  long next_window(const char** data, std::string* error) override {
    return report(inner_->next_window(data, error));
  }
  std::optional<FileExtent> file() const override { return inner_->file(); }

 private:
  long report(long r) {
    if (r > 0) bytes_ += static_cast<uint64_t>(r);
    progress_(bytes_, stats_ ? stats_->goroutines : 0);
    return r;
  }
  std::unique_ptr<ByteSource> inner_;
  const std::function<void(uint64_t, uint64_t)>& progress_;
  const ParseStats* stats_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace

LoadResult load_dump_source(Catalog& catalog, std::unique_ptr<ByteSource> source,
                            const std::string& name, const LoadOptions& options) {
  LoadResult result;
  ProgressSource* progress = nullptr;
  if (options.progress) {
    auto wrapped = std::make_unique<ProgressSource>(std::move(source), options.progress);
    progress = wrapped.get();
    source = std::move(wrapped);
  }
  std::string head;
  Diagnostic error;
  ContentKind kind = ContentKind::kText;
  bool gzip = false;
  if (!sniff_input(&source, name, &head, &kind, &gzip, &error)) {
    result.ok = false;
    result.diagnostics.push_back(std::move(error));
    return result;
  }
  // Profiles in pprof's protobuf form: a goroutine profile is a dump of its
  // own form; a heap profile goes to src/heap. A heap profile as debug=1 text
  // too.
  if (kind == ContentKind::kPprofProto) return load_pprof_input(catalog, *source, name, options, gzip);
  if (kind == ContentKind::kText && looks_like_heap_text(head))
    return load_heap_text_input(catalog, *source, name);
  if (kind != ContentKind::kText) {
    std::string what(explain_content(kind));
    if (gzip) what = "gzip-compressed " + what;
    error = error_at(name, what);
    result.ok = false;
    result.diagnostics.push_back(std::move(error));
    return result;
  }
  std::string hint_head = head.substr(0, 8192);

  Grouper grouper(catalog, options.group, name, &result.snapshots);
  TeeSink tee{&grouper, options.observer};
  Parser parser(catalog, options.observer ? static_cast<DumpSink&>(tee) : grouper, name);
  if (progress) progress->watch(&parser.stats());
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
    result.split_parsed = stats.parsed;
    result.split_absorbed = stats.absorbed;
    result.split_mapped = stats.mapped;
    result.split_worker_read = stats.worker_read;
  } else {
    ParserFeeder feeder(parser);
    lr = read_lines(*source, options.max_line_bytes, feeder);
  }
  // A source that failed (a transfer cut off, a corrupt gzip tail) ended
  // the input wherever it stopped: a goroutine in progress is partial.
  parser.finish(lr.ended_mid_line || !lr.ok, lr.bytes);
  result.bytes = lr.bytes;
  result.lines = lr.lines;
  if (!lr.ok) {
    result.diagnostics.push_back(Diagnostic{Severity::kError, name, lr.lines, 0,
                                            "read error: " + lr.error});
    // Stopped between two goroutines, the parser saw nothing amiss.
    if (!result.snapshots.empty()) result.snapshots.back().truncated = true;
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

bool sniff_input(std::unique_ptr<ByteSource>* source, const std::string& name,
                 std::string* head, ContentKind* kind, bool* gzip, Diagnostic* error) {
  std::string why;
  // A source that fails after some bytes (a transfer cut off) fails again
  // when read on: the line reader reports it after the bytes it did read.
  if (!read_head(**source, kSniffBytes, head, &why) && head->empty()) {
    *error = error_at(name, "read error: " + why);
    return false;
  }
  *kind = sniff_content(*head);
  *gzip = false;
  if (*kind == ContentKind::kGzip) {
    // People save `debug=2` output and profiles compressed; read them as is.
    *source = make_gzip_source(make_replay_source(std::move(*head), std::move(*source)));
    *gzip = true;
    if (!read_head(**source, kSniffBytes, head, &why) && head->empty()) {
      *error = error_at(name, why);
      return false;
    }
    *kind = sniff_content(*head);
  }
  *source = make_replay_source(*head, std::move(*source));
  return true;
}

bool sniff_text(std::unique_ptr<ByteSource>* source, const std::string& name, std::string* head,
                Diagnostic* error) {
  ContentKind kind;
  bool gzip;
  if (!sniff_input(source, name, head, &kind, &gzip, error)) return false;
  if (kind == ContentKind::kText) return true;
  std::string what(explain_content(kind));
  if (gzip) what = "gzip-compressed " + what;
  *error = error_at(name, what);
  return false;
}

LoadResult load_dump_file(Catalog& catalog, const std::string& path,
                          const LoadOptions& options) {
  OpenedInput in = open_input(path, options.map_window_bytes);
  if (!in.source) {
    LoadResult r;
    r.ok = false;
    r.diagnostics.push_back(in.error);
    return r;
  }
  return load_dump_source(catalog, std::move(in.source), path, options);
}

LoadResult load_dump_text(Catalog& catalog, std::string_view text, const std::string& name,
                          const LoadOptions& options) {
  return load_dump_source(catalog, make_memory_source(text), name, options);
}

}  // namespace gorleak
