#include "pipeline/fragment.h"

#include <cstring>

namespace gorleak {

namespace {

// Turns each goroutine into a record against the worker's catalog.
class RecordingSink : public DumpSink {
 public:
  RecordingSink(FragmentWorker& worker, GroupBy group_by, std::vector<GoroutineRecord>* out)
      : worker_(worker), group_by_(group_by), out_(out) {}
  // Snapshot boundaries make the fragment unclean; the parser tracks that.
  void begin_snapshot(const SnapshotStart&) override {}
  void end_snapshot(const SnapshotEnd&) override {}
  void goroutine(const Goroutine& g) override {
    make_record(worker_.catalog, group_by_, g, &worker_.scratch, &out_->emplace_back());
  }

 private:
  FragmentWorker& worker_;
  GroupBy group_by_;
  std::vector<GoroutineRecord>* out_;
};

}  // namespace

void parse_fragment(Fragment& f, FragmentWorker& worker, GroupBy group_by,
                    size_t max_line_bytes) {
  f.worker = worker.index;
  f.records.clear();
  RecordingSink sink(worker, group_by, &f.records);
  {
    Parser parser(worker.catalog, sink, std::string());
    parser.begin_fragment(f.form);
    const char* p = f.data.get();
    const char* end = p + f.size;
    uint64_t no = 0;
    bool clean = true;
    while (p < end && clean) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      // The loader gives workers only fragments that end with a newline.
      if (nl == nullptr) {
        clean = false;
        break;
      }
      size_t len = static_cast<size_t>(nl - p);
      if (len > max_line_bytes) {
        clean = false;  // reported by the main parser, with its real line number
        break;
      }
      parser.feed(std::string_view(p, len), ++no);
      clean = parser.fragment_clean();
      p = nl + 1;
    }
    f.summary = parser.end_fragment();
    f.summary.clean = f.summary.clean && clean;
  }
  if (!f.summary.clean) f.records.clear();
  f.delta = take_delta(worker.catalog, &worker.mark);
}

}  // namespace gorleak
