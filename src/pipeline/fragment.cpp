#include "pipeline/fragment.h"

#include "group/record_batch.h"
#include "read/mapped_region.h"
#include "read/newline_scan.h"

namespace gorleak {

// Turns each goroutine into a record against the worker's catalog.
class RecordingSink : public DumpSink {
 public:
  RecordingSink(Catalog& catalog, GroupBy group_by) : batch_(catalog, group_by) {}
  void set_output(std::vector<GoroutineRecord>* out) { out_ = out; }
  // Snapshot boundaries make the fragment unclean; the parser tracks that.
  void begin_snapshot(const SnapshotStart&) override {}
  void end_snapshot(const SnapshotEnd&) override {}
  void goroutine(const Goroutine& g) override {
    if (batch_.add(g)) flush();
  }
  void flush() {
    for (const GoroutineRecord& r : batch_.take()) out_->push_back(r);
  }

 private:
  RecordBatch batch_;
  std::vector<GoroutineRecord>* out_ = nullptr;
};

FragmentWorker::FragmentWorker(unsigned i, GroupBy group_by)
    : index(i),
      sink(std::make_unique<RecordingSink>(catalog, group_by)),
      parser(std::make_unique<Parser>(catalog, *sink, std::string())) {}

FragmentWorker::~FragmentWorker() = default;

bool read_unread(Fragment& f) {
  size_t done = 0;
  while (done < f.unread) {
    long r = pread_at(f.fd, f.data.get() + done, f.unread - done, f.unread_at + done,
                      &f.unread_error);
    if (r < 0) return false;
    if (r == 0) {  // the end of the file before the block's tail, read earlier
      f.unread_error = kFileShrankError;
      return false;
    }
    done += static_cast<size_t>(r);
  }
  f.unread = 0;
  return true;
}

void parse_fragment(Fragment& f, FragmentWorker& worker, size_t max_line_bytes) {
  f.worker = worker.index;
  f.records.clear();
  if (f.unread > 0 && !read_unread(f)) {
    // The main thread reports it; nothing of the fragment can be used.
    f.summary = FragmentSummary{};
    f.summary.clean = false;
    f.delta = take_delta(worker.catalog, &worker.mark);
    return;
  }
  worker.sink->set_output(&f.records);
  {
    Parser& parser = *worker.parser;
    parser.begin_fragment(f.form);
    const char* base = f.bytes;
    NewlineScan newlines(base, 0, f.size);
    size_t begin = 0;
    uint64_t no = 0;
    bool clean = true;
    while (begin < f.size && clean) {
      size_t stop = newlines.next();
      // The loader gives workers only fragments that end with a newline.
      if (stop == NewlineScan::kNone) {
        clean = false;
        break;
      }
      if (stop - begin > max_line_bytes) {
        clean = false;  // reported by the main parser, with its real line number
        break;
      }
      parser.feed(std::string_view(base + begin, stop - begin), ++no);
      clean = parser.fragment_clean();
      begin = stop + 1;
    }
    f.summary = parser.end_fragment();
    worker.sink->flush();
    f.summary.clean = f.summary.clean && clean;
  }
  if (!f.summary.clean) f.records.clear();
  f.delta = take_delta(worker.catalog, &worker.mark);
}

}  // namespace gorleak
