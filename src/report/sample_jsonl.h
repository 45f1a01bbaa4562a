// One sample as one line of JSON (JSON Lines): what `watch --format jsonl`
// streams and `history --format jsonl` exports, so the rows a watcher
// records can flow into another engine (docs/history.md: PostgreSQL,
// ClickHouse, Loki, a data lake) without reading SQLite. The fields mirror
// the history tables; groups are keyed by the same restart-proof signature.
//
//   {"schema_version":1,"url":…,"service":…,"time":"…Z","unix_time":…,
//    "form":…,"total":…,"leaked":…,"truncated":…,"max_goroutine_id":…,
//    "states":{…},"groups":[{"signature","count","state","category",
//    "leaked","site","site_in_stdlib"}…],"findings":[{"rule","severity",
//    "count","site","growth_confirmed"}…]}
#pragma once

#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"

namespace gorleak {

inline constexpr int kSampleJsonlSchemaVersion = 1;

// Appends one line (ending in '\n') to *out.
void write_sample_jsonl(const std::string& url, const std::string& service, double unix_time,
                        const Snapshot& snapshot, const Catalog& catalog,
                        const std::vector<std::string>& modules, std::string* out);

}  // namespace gorleak
