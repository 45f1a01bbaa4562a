// The history store (store/history_store.h) without a live service: corpus
// series dumps recorded as samples, loaded back into a fresh Catalog, must
// give the same groups, counts and trend; filters, thinning, the schema
// version and the files it must refuse; `gorleak history` on such a file.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <fstream>
#include <map>
#include <string>

#include "classify/classifier.h"
#include "diff/signature.h"
#include "diff/trend.h"
#include "live_support.h"
#include "series_support.h"
#include "store/history_store.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

// Group counts by exact signature (restart-proof, catalog-independent).
std::map<uint64_t, uint64_t> by_signature(const Snapshot& s, const Catalog& c) {
  std::map<uint64_t, uint64_t> m;
  for (const Group& g : s.groups) m[group_signature(c, g, SignatureMode::kExact)] += g.count;
  return m;
}

void set_user_version(const std::string& path, int v) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string sql = "PRAGMA user_version = " + std::to_string(v);
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

const char* kPhases[] = {"idle", "loaded", "after"};

}  // namespace

TEST_CASE("samples recorded and loaded back give the same groups and the same trend") {
  auto versions = series_versions("series-send-leak");
  if (versions.empty()) {
    MESSAGE("no series-send-leak dumps: skipped");
    return;
  }
  const std::string v = versions.back();
  std::vector<fs::path> files;
  for (const char* phase : kPhases) files.push_back(series_dump("series-send-leak", v, phase));
  LoadedSeries original = load_series(files);
  REQUIRE(original.ok);

  TempDir tmp;
  const std::string path = (tmp.path / "h.db").string();
  Diagnostic err;
  {
    auto store = HistoryStore::open(path, /*create=*/true, &err);
    REQUIRE_MESSAGE(store, err.format());
    for (size_t i = 0; i < original.dumps.size(); ++i)
      REQUIRE(store->record(SampleInfo{"http://svc/debug/pprof/goroutine?debug=2", "svc",
                                       1000.0 + 60.0 * static_cast<double>(i)},
                            *original.dumps[i].snapshot, *original.dumps[i].catalog, &err));
    // A second target, one sample.
    REQUIRE(store->record(SampleInfo{"http://other/debug/pprof/goroutine?debug=2", "", 1200},
                          *original.dumps[0].snapshot, *original.dumps[0].catalog, &err));
  }
  auto store = HistoryStore::open(path, /*create=*/false, &err);
  REQUIRE_MESSAGE(store, err.format());
  Catalog fresh;
  std::vector<StoredSample> loaded;
  REQUIRE(store->load(HistoryQuery{}, fresh, &loaded, &err));
  REQUIRE(loaded.size() == 4);
  CHECK(loaded[0].info.url == "http://other/debug/pprof/goroutine?debug=2");  // URLs in order
  std::vector<DiffDump> back;
  for (size_t i = 0; i < 3; ++i) {
    const StoredSample& s = loaded[i + 1];
    const Snapshot& o = *original.dumps[i].snapshot;
    CAPTURE(i);
    CHECK(s.info.service == "svc");
    CHECK(s.info.taken_at == doctest::Approx(1000.0 + 60.0 * static_cast<double>(i)));
    CHECK(s.snapshot.total == o.total);
    CHECK(s.snapshot.form == o.form);
    CHECK(s.snapshot.max_goroutine_id == o.max_goroutine_id);
    CHECK(s.snapshot.states == o.states);
    CHECK(by_signature(s.snapshot, fresh) == by_signature(o, *original.dumps[i].catalog));
    CHECK(s.snapshot.findings.size() == o.findings.size());
    back.push_back(DiffDump{kPhases[i], &s.snapshot, &fresh});
  }
  Trend a = compute_trend(original.dumps), b = compute_trend(back);
  REQUIRE(a.diff.rows.size() == b.diff.rows.size());
  CHECK(a.growing() == 1);
  CHECK(b.growing() == 1);
  for (size_t r = 0; r < a.diff.rows.size(); ++r) {
    CHECK(a.diff.rows[r].signature == b.diff.rows[r].signature);
    CHECK(a.diff.rows[r].counts == b.diff.rows[r].counts);
  }

  // Filters: one target, a time window, thinning that keeps first and last.
  std::vector<StoredSample> some;
  Catalog c2;
  REQUIRE(store->load(HistoryQuery{1030, "http://svc/debug/pprof/goroutine?debug=2", 0}, c2, &some, &err));
  CHECK(some.size() == 2);
  some.clear();
  REQUIRE(store->load(HistoryQuery{0, "http://svc/debug/pprof/goroutine?debug=2", 2}, c2, &some, &err));
  REQUIRE(some.size() == 2);
  CHECK(some[0].info.taken_at == doctest::Approx(1000));
  CHECK(some[1].info.taken_at == doctest::Approx(1120));

  // The CLI reads it: the same report every time, JSON Lines one per sample.
  RunResult h = run_cli({"history", "--db", path, "--color", "never"});
  REQUIRE(h.exit_code == 0);
  CHECK(h.out.find("1 group grows") != std::string::npos);
  CHECK(run_cli({"history", "--db", path, "--color", "never"}).out == h.out);
  RunResult jl = run_cli({"history", "--db", path, "--format", "jsonl"});
  REQUIRE(jl.exit_code == 0);
  CHECK(std::count(jl.out.begin(), jl.out.end(), '\n') == 4);
  CHECK(run_cli({"history", "--db", path, "--format", "jsonl"}).out == jl.out);
}

TEST_CASE("a sample read back keeps its goroutine ids: one sample's count still confirms") {
  // The store keeps sample ids but not a group's id range, so a burst
  // cannot be told there; the count then weighs as it does for the dump.
  const fs::path dump = corpus_dumps_dir() / "svc-render-leak.go1.22.debug2.txt";
  if (!fs::exists(dump)) {
    MESSAGE("no svc-render dumps: skipped");
    return;
  }
  auto original = load(dump);
  REQUIRE(original->result.snapshots.size() == 1);
  TempDir tmp;
  const std::string path = (tmp.path / "h.db").string();
  Diagnostic err;
  {
    auto store = HistoryStore::open(path, /*create=*/true, &err);
    REQUIRE_MESSAGE(store, err.format());
    REQUIRE(store->record(SampleInfo{"http://render/debug/pprof/goroutine?debug=2", "render", 1000},
                          original->result.snapshots[0], original->catalog, &err));
  }
  auto store = HistoryStore::open(path, /*create=*/false, &err);
  REQUIRE_MESSAGE(store, err.format());
  Catalog fresh;
  std::vector<StoredSample> loaded;
  REQUIRE(store->load(HistoryQuery{}, fresh, &loaded, &err));
  REQUIRE(loaded.size() == 1);
  const ClassifyOptions options;  // the classifier keeps a reference
  Classifier c(fresh, builtin_rule_set(), options);
  c.classify(loaded[0].snapshot);
  const Finding* leak = nullptr;
  for (const Finding& f : loaded[0].snapshot.findings)
    if (f.rule == "chan-receive-never-closed" && f.count == 240) leak = &f;
  REQUIRE(leak != nullptr);
  CHECK(leak->severity == RuleSeverity::kMedium);
  CHECK(leak->evidence_level == EvidenceLevel::kCount);
}

TEST_CASE("files the store refuses, in one line") {
  TempDir tmp;
  Diagnostic err;
  const std::string missing = (tmp.path / "missing.db").string();
  CHECK_FALSE(HistoryStore::open(missing, false, &err));
  CHECK(err.message.find("no such history database") != std::string::npos);

  const std::string text = (tmp.path / "text.db").string();
  std::ofstream(text) << "not a database at all, just some text that is long enough\n";
  CHECK_FALSE(HistoryStore::open(text, true, &err));
  CHECK(err.message.find("not a SQLite database") != std::string::npos);

  const std::string other = (tmp.path / "other.db").string();
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  CHECK_FALSE(HistoryStore::open(other, true, &err));
  CHECK(err.message.find("not a gorleak history") != std::string::npos);

  const std::string newer = (tmp.path / "newer.db").string();
  REQUIRE(HistoryStore::open(newer, true, &err));
  set_user_version(newer, kStoreSchemaVersion + 1);
  CHECK_FALSE(HistoryStore::open(newer, false, &err));
  CHECK(err.message.find("newer than this gorleak's") != std::string::npos);
  RunResult r = run_cli({"history", "--db", newer});
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);

  const std::string empty = (tmp.path / "empty.db").string();
  REQUIRE(HistoryStore::open(empty, true, &err));
  r = run_cli({"history", "--db", empty});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no samples") != std::string::npos);
}
