// `--format prometheus`: the dump as Prometheus text exposition (format
// 0.0.4), for node_exporter's textfile collector or a push gateway:
//
//   gorleak --format prometheus dump.txt > /var/lib/node_exporter/gorleak.prom
//
// Every metric is a gauge describing the dump (docs/output.md lists them):
//   gorleak_goroutines{state}                  per state category, zeros included
//   gorleak_dump_goroutines                    goroutines read
//   gorleak_dump_goroutines_leaked             marked (leaked) by the runtime
//   gorleak_dump_groups                        distinct state + stack groups
//   gorleak_dump_truncated                     1 when the dump was cut short
//   gorleak_dump_info{form}                    1, the dump's form as a label
//   gorleak_dump_timestamp_seconds             when the dump file was written (when known)
//   gorleak_site_goroutines{site}              per leak site, the ReportOptions::metric_sites
//                                              largest sites plus site="other"
//   gorleak_findings{rule,severity}            findings per rule and severity
//   gorleak_finding_goroutines{rule,severity}  goroutines those findings cover
// Label cardinality is bounded: states are a fixed list, sites are cut at
// metric_sites + 1, rules are the loaded rules. With several snapshots every
// sample also carries snapshot="N" (1-based, input order). A site is the
// group's leak site (the user's frame), else its innermost frame; the site
// metrics count the groups --match/--exclude/--min-count/--top select (all
// by default), the other metrics the whole dump.
// Stable: metric names, types, labels and meanings; new metrics may appear.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "report/report_writer.h"

namespace gorleak {

std::unique_ptr<SnapshotWriter> make_prometheus_writer();

// The escaper of a label value: text_escape's guarantee (valid UTF-8, no
// control characters: they become the text \xNN / \uNNNN), then the three
// escapes of the exposition format, `\` → `\\`, `"` → `\"`, newline → `\n`.
// A label value can therefore never end early or break its line.
void prometheus_label_escape(std::string_view value, std::string* out);

}  // namespace gorleak
