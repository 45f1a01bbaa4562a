#include "pipeline/split_load.h"

#include <deque>
#include <memory>

#include "pipeline/block_reader.h"
#include "pipeline/parser_feeder.h"
#include "pipeline/worker_backoff.h"
#include "pipeline/worker_pool.h"

namespace gorleak {

LineReaderResult read_split(ByteSource& src, Parser& parser, Grouper& grouper,
                            Catalog& catalog, const SplitOptions& options) {
  LineReaderResult result;
  BlockReader reader(src, options.block_bytes, &result);
  std::deque<std::unique_ptr<Fragment>> window;
  std::vector<CatalogRemap> remaps;
  // Declared after the window so that, on the way out (an exception
  // included), the workers stop before the blocks they read are freed.
  std::unique_ptr<WorkerPool> pool;  // started at the first block a worker can take
  // Blocks in flight: enough to keep every worker busy while the main
  // thread absorbs or re-reads the oldest one. Memory: window x 1.25 blocks
  // of buffer, or window x 1 block of mapped file for a file read in place.
  const size_t max_window = 2 * static_cast<size_t>(options.jobs) + 1;
  uint64_t lines = 0;
  bool input_done = false;
  WorkerBackoff backoff;

  for (;;) {
    // Reading ahead only feeds workers: after a block the main thread will
    // read itself, the next waits until that one was read, while its bytes
    // are still in the cache.
    while (!input_done && window.size() < max_window &&
           (window.empty() || window.back()->parallel)) {
      std::unique_ptr<Fragment> f = reader.next(backoff.would_take());
      if (!f) {
        input_done = true;
        break;
      }
      if (f->parallel && !backoff.take_next()) f->parallel = false;
      if (f->parallel) {
        if (options.stats) {
          ++options.stats->parsed;
          if (f->unread > 0) ++options.stats->worker_read;
        }
        if (!pool) {
          pool = std::make_unique<WorkerPool>(options.jobs, options.group_by,
                                              options.max_line_bytes);
          for (unsigned i = 0; i < pool->size(); ++i) remaps.emplace_back(catalog);
        }
        pool->submit(f.get());
      }
      if (f->rest_of_input) input_done = true;
      window.push_back(std::move(f));
    }
    if (window.empty()) break;
    std::unique_ptr<Fragment> f = std::move(window.front());
    window.pop_front();
    if (options.stats) {
      ++options.stats->blocks;
      if (f->region.mapped()) ++options.stats->mapped;
    }

    if (f->rest_of_input) {
      {
        std::unique_ptr<ByteSource> rest = reader.rest_from(*f);
        ParserFeeder feeder(parser, lines);
        LineReaderResult lr = read_lines(*rest, options.max_line_bytes, feeder);
        lines += lr.lines;
        // What the block reader had counted is in f->size; the rest is new.
        result.bytes += lr.bytes - f->size;
        result.ended_mid_line = lr.ended_mid_line;
        if (!lr.ok) {
          result.ok = false;
          result.error = lr.error;
        }
      }
      reader.recycle(std::move(f));
      break;
    }
    if (f->parallel) pool->wait(f.get());
    if (!reader.complete(*f)) break;
    bool absorbed = false;
    if (f->parallel) {
      // Every delta, even an unclean fragment's: later ones build on it.
      remaps[f->worker].apply(f->delta);
      if (parser.begin_absorb(f->summary)) {
        for (GoroutineRecord& r : f->records) {
          remaps[f->worker].remap(&r);
          r.line_no += lines;
          grouper.add_record(r);
        }
        parser.end_absorb(f->summary, lines);
        lines += f->summary.lines;
        absorbed = true;
        if (options.stats) ++options.stats->absorbed;
      }
      if (absorbed)
        backoff.absorbed();
      else
        backoff.refused();
    }
    if (!absorbed) {
      // Read in order, exactly as read_lines reads any input.
      std::unique_ptr<ByteSource> text = make_memory_source(f->text());
      ParserFeeder feeder(parser, lines);
      LineReaderResult lr = read_lines(*text, options.max_line_bytes, feeder);
      lines += lr.lines;
      result.ended_mid_line = lr.ended_mid_line;
    }
    if (!reader.recycle(std::move(f))) break;
  }
  result.lines = lines;
  return result;
}

}  // namespace gorleak
