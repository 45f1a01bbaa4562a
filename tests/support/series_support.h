// Helpers for the diff/trend tests: the phased corpus programs
// (corpus/dumps/series-*.go<ver>.<phase>.<form>.txt + .expect) and finding a
// group of a diff by what the .expect file says about it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diff/snapshot_diff.h"
#include "test_support.h"

namespace gorleak::test {

// Go versions with dumps of `program`, e.g. {"1.19", "1.22", "1.27"}.
std::vector<std::string> series_versions(const std::string& program);

std::filesystem::path series_dump(const std::string& program, const std::string& version,
                                  const std::string& phase, const std::string& form = "debug2");

// The `.expect` line of `phase` that has `key` (e.g. "rule"), as a map.
std::optional<std::map<std::string, std::string>> expect_line(const std::string& program,
                                                              const std::string& version,
                                                              const std::string& phase,
                                                              const std::string& key,
                                                              const std::string& site = "");

// Several dumps loaded, each with its own catalog, ready to diff.
struct LoadedSeries {
  std::vector<std::unique_ptr<Loaded>> loaded;
  std::vector<DiffDump> dumps;  // the last snapshot of each file
  bool ok = true;
};
LoadedSeries load_series(const std::vector<std::filesystem::path>& files);

// Rows whose stack has a frame `func`, whose created-by is `created_by`
// (when given) and whose state is `state` (when given).
std::vector<const DiffRow*> rows_with(const SnapshotDiff& d, const std::string& func,
                                      const std::string& created_by = "",
                                      const std::string& state = "");

}  // namespace gorleak::test
