// The history store: every sample `gorleak watch --db FILE` takes, in one
// SQLite file that `gorleak history` reads back. sqlite3.h stays inside
// history_store.cpp; nothing here throws; every failure is one Diagnostic
// naming the file and SQLite's own message.
//
// What is stored is the model, never report text, and never the run-local
// ids of a Catalog (StrId, StackId): stacks by their frames' names and
// file:line, keyed by the restart-proof exact signature of
// diff/signature.h, so samples from different runs of the watcher, and
// from before and after a restart of the service, load back into one fresh
// Catalog as Snapshots that diff and trend compare unchanged.
//
// Robustness: WAL journal, one transaction per sample (BEGIN IMMEDIATE), a
// busy timeout. A watcher killed mid-sample loses that sample only; two
// watchers may write one file at once (the second waits for the first's
// transaction); readers never block writers.
//
// The schema is an interface, documented in docs/history.md;
// kStoreSchemaVersion (PRAGMA user_version) changes when a table or column
// is removed or changes meaning. A file of a newer version is refused.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/diagnostic.h"
#include "model/snapshot.h"

namespace gorleak {

inline constexpr int kStoreSchemaVersion = 1;

struct SampleInfo {
  std::string url;      // the dump URL, credentials masked
  std::string service;  // the service it belongs to ("" when none was named)
  double taken_at = 0;  // Unix time, seconds
};

struct StoredSample {
  int64_t id = 0;  // the row id in `samples`
  SampleInfo info;
  // Groups, states, totals and findings, interned into the loading
  // Catalog; `source` is the URL. Findings come back without their group
  // indices (not stored): `history` classifies the newest sample again,
  // with the growth it sees.
  Snapshot snapshot;
};

struct HistoryQuery {
  double since = 0;        // Unix time; 0: from the first sample
  std::string url;         // "": every target; else exactly this (masked) URL
  size_t max_samples = 0;  // per target, thinned evenly (first and last kept); 0: all
};

class HistoryStore {
 public:
  // Opens `path`, creating the file and its tables when `create` is set.
  // Null with *error when it cannot be opened, is not a gorleak history, or
  // has a newer schema.
  static std::unique_ptr<HistoryStore> open(const std::string& path, bool create,
                                            Diagnostic* error);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // One transaction: the sample, its groups (each stack stored once per
  // file) and its findings. `snapshot`'s ids are `catalog`'s.
  [[nodiscard]] bool record(const SampleInfo& info, const Snapshot& snapshot,
                            const Catalog& catalog, Diagnostic* error);

  // The samples `query` selects, grouped by target (URLs in order), oldest
  // first within a target, interned into `catalog`.
  [[nodiscard]] bool load(const HistoryQuery& query, Catalog& catalog,
                          std::vector<StoredSample>* out, Diagnostic* error);

  struct Impl;

 private:
  explicit HistoryStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gorleak
