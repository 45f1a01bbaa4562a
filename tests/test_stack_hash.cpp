#include <doctest/doctest.h>

#include <string>

#include "collecting_sink.h"
#include "model/catalog.h"
#include "pipeline/load.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

TEST_CASE("stack hash: the parser's incremental hash equals stack_hash on every corpus dump") {
  size_t files = 0, goroutines = 0, hashed = 0, frames = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt")) {
    Catalog catalog;
    CollectingSink sink;
    LoadOptions opt;
    opt.observer = &sink;
    load_dump_file(catalog, p.string(), opt);
    ++files;
    for (const Goroutine* g : sink.all()) {
      ++goroutines;
      frames += g->frames.size();
      // Only a goroutine cut short at the end of input gets a frame that
      // was not hashed (its function line without a file line).
      if (g->frames_hashed != g->frames.size()) {
        CHECK(g->partial);
        continue;
      }
      ++hashed;
      uint64_t incremental = stack_hash_finish(g->frames_hash, g->frames.size(), g->created_by,
                                               g->elided_count, g->elided_at);
      uint64_t whole = stack_hash(g->frames.data(), g->frames.size(), g->created_by,
                                  g->elided_count, g->elided_at);
      CAPTURE(p.string());
      CAPTURE(g->line_no);
      CHECK(incremental == whole);
    }
  }
  CHECK(files > 400);
  CHECK(frames > 10000);
  CHECK(hashed > goroutines * 99 / 100);
}

TEST_CASE("stack hash: intern_hashed and intern agree, frame by frame and by created-by") {
  StackTable stacks;
  Frame a{1, 2, 10, 0}, b{3, 4, 20, Frame::kInlined};
  Frame ab[] = {a, b}, ba[] = {b, a};
  CreatedBy cb;
  cb.func = 5;
  cb.file = 6;
  cb.line = 7;
  auto hashed = [&](const Frame* f, size_t n, const CreatedBy& c) {
    uint64_t h = stack_hash_start();
    for (size_t i = 0; i < n; ++i) h = stack_hash_add(h, f[i]);
    return stacks.intern_hashed(stack_hash_finish(h, n, c, 0, 0), f, n, c, 0, 0);
  };
  StackId id_ab = stacks.intern(ab, 2, cb, 0, 0);
  CHECK(hashed(ab, 2, cb) == id_ab);
  StackId id_ba = hashed(ba, 2, cb);
  CHECK(id_ba != id_ab);
  CHECK(stacks.intern(ba, 2, cb, 0, 0) == id_ba);
  CHECK(hashed(ab, 1, cb) != id_ab);
  CHECK(hashed(ab, 2, CreatedBy{}) != id_ab);
  CHECK(stacks.size() == 4);
}
