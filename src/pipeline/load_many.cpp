#include "pipeline/load_many.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

namespace gorleak {

namespace {

// Moves a snapshot's ids from `from` into `into`. Strings and stacks are
// taken in `from`'s id order, which is the order the file's own load met
// them: the same order a sequential load into `into` would have used.
class CatalogMerger {
 public:
  CatalogMerger(Catalog& into, const Catalog& from) : into_(into), from_(from) {
    strings_.resize(from.strings.size());
    for (StrId id = 0; id < from.strings.size(); ++id)
      strings_[id] = into.strings.intern(from.strings.view(id));
    stacks_.resize(from.stacks.size());
    std::vector<Frame> frames;
    for (StackId id = 0; id < from.stacks.size(); ++id) {
      const Stack& s = from.stacks.get(id);
      frames.clear();
      for (Frame f : s.frames) {
        f.func = strings_[f.func];
        f.file = strings_[f.file];
        frames.push_back(f);
      }
      CreatedBy cb = s.created_by;
      cb.func = strings_[cb.func];
      cb.file = strings_[cb.file];
      stacks_[id] = into.stacks.intern(frames.data(), frames.size(), cb, s.elided_count,
                                       s.elided_at);
    }
  }

  void remap(Snapshot& snap) const {
    for (Group& g : snap.groups) {
      g.stack = stacks_[g.stack];
      g.state = strings_[g.state];
    }
    for (SpawnEdge& e : snap.spawns) {
      e.func = strings_[e.func];
      e.file = strings_[e.file];
    }
    for (Finding& f : snap.findings) {
      for (SourceSite* s : {&f.site, &f.blocking, &f.created_by}) {
        s->func = strings_[s->func];
        s->file = strings_[s->file];
      }
    }
  }

  void remap(HeapProfile& profile) const {
    for (HeapSample& s : profile.samples) s.stack = stacks_[s.stack];
  }

 private:
  Catalog& into_;
  const Catalog& from_;
  std::vector<StrId> strings_;
  std::vector<StackId> stacks_;
};

}  // namespace

std::vector<LoadResult> load_dump_files(Catalog& catalog, const std::vector<std::string>& paths,
                                        const LoadOptions& options) {
  std::vector<LoadResult> results(paths.size());
  unsigned threads = std::min<unsigned>(options.jobs, static_cast<unsigned>(paths.size()));
  // stdin cannot be shared between threads meaningfully; keep it simple.
  bool has_stdin = std::find(paths.begin(), paths.end(), "-") != paths.end();
  if (threads <= 1 || options.observer != nullptr || has_stdin) {
    for (size_t i = 0; i < paths.size(); ++i)
      results[i] = load_dump_file(catalog, paths[i], options);
    return results;
  }
  // The threads go to the files; each file is read on one of them.
  LoadOptions one = options;
  one.jobs = 1;
  std::vector<std::unique_ptr<Catalog>> own(paths.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < paths.size(); i = next++) {
      own[i] = std::make_unique<Catalog>();
      results[i] = load_dump_file(*own[i], paths[i], one);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (size_t i = 0; i < paths.size(); ++i) {
    CatalogMerger merger(catalog, *own[i]);
    for (Snapshot& s : results[i].snapshots) merger.remap(s);
    for (HeapProfile& h : results[i].heap_profiles) merger.remap(h);
    own[i].reset();
  }
  return results;
}

}  // namespace gorleak
