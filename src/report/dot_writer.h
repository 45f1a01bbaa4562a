// Graphviz output (`--format dot`) through Boost.Graph's write_graphviz:
// the goroutine creation tree (`--graph tree`, the default) or the grouped
// call graph (`--graph calls`), for analyze (one digraph per snapshot) and
// for diff (the last dump, each group annotated with its counts per dump
// and its diff status). Render with `dot -Tsvg out.dot > out.svg`.
//
// Layout contract: edges read in the direction of creation — a parent
// goroutine or `created by` site points at the group it created, a group
// at the goroutines of it that created others (dashed "member" edges), and
// in the call graph a caller at its callee and the innermost frame at the
// group waiting there — and the graph is drawn bottom to top (rankdir=BT),
// so creation flows upwards and the groups that leak sit at the top. The
// leaking groups (those a finding covers, most severe first; in a diff also
// those that grew or stayed) are chosen and written first, however small,
// drawn in red and, when they created nothing themselves, placed on the top
// rank. Node labels carry goroutine counts and node sizes grow with them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diff/creation_forest.h"
#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/report_writer.h"

namespace gorleak {

struct DotOptions {
  // Groups drawn: the leaking ones, then the largest of `groups`, up to
  // this many in all.
  size_t max_groups = 60;
  std::vector<std::string> modules;
  // The groups that leak, most important first (indices into the snapshot's groups).
  std::vector<uint32_t> leaking;
  // The other candidates in order (the report's selection); empty: all
  // groups, largest first.
  std::vector<uint32_t> groups;
  // Extra label line per group (the diff puts "0 → 120 stayed" there).
  std::function<std::string(uint32_t group)> annotate;
  // Creation tree: the creators drawn above each group, largest first; the
  // others fold into one "N more" node. A leak spawned per request has one
  // exited parent per goroutine, and 10,000 nodes of "created 1" are
  // neither drawable nor readable.
  size_t max_creators = 5;
  // Creation tree: at most this many creator nodes and creators' groups
  // above the drawn groups in all, nearest generations first (0: four per
  // drawn group, at least 100). Without a bound, the ancestors of 60
  // groups can be the whole forest.
  size_t max_ancestors = 0;
};

void write_creation_dot(const CreationForest& forest, const DotOptions& options, std::string* out);
void write_calls_dot(const Snapshot& snapshot, const Catalog& catalog, const DotOptions& options,
                     std::string* out);

// `--format dot` for analyze (format.h): a digraph per snapshot.
std::unique_ptr<SnapshotWriter> make_dot_writer();
// `--format dot` for diff.
void write_diff_dot(const DiffInput& in, ReportOutput& out);

// The escaper of one line of a DOT quoted string: text_escape's guarantee
// (valid UTF-8, no control characters), then `"` and `\` backslash-escaped,
// so a label never ends early and never forms one of Graphviz's escString
// sequences (\N, \G, \l…), and `&` as `&amp;`, which Graphviz would
// otherwise take for the start of an HTML entity. Graphviz then draws
// exactly the escaped text.
void dot_escape(std::string_view line, std::string* out);

}  // namespace gorleak
