#include "suppress/suppressor.h"

#include <utility>

#include <fmt/format.h>

#include "read/yaml_tree.h"
#include "suppress/finding_filter.h"

namespace gorleak {

namespace {

bool live(const Suppression& s, const std::chrono::year_month_day& today) {
  return !s.expires || today < *s.expires;
}

std::string what(const Suppression& s) {
  if (!s.fingerprint.empty() && !s.rule.empty())
    return fmt::format("{} at {} ({})", s.rule, s.site.empty() ? "?" : s.site, s.fingerprint);
  if (!s.fingerprint.empty()) return fmt::format("fingerprint {}", s.fingerprint);
  return fmt::format("{} at {}", s.rule, s.site);
}

}  // namespace

Suppressor::Suppressor(std::vector<SuppressionFile> files, std::chrono::year_month_day today)
    : files_(std::move(files)), today_(today) {}

size_t Suppressor::entries() const {
  size_t n = 0;
  for (const SuppressionFile& f : files_) n += f.entries.size();
  return n;
}

bool Suppressor::accepts(const Finding& f, const Catalog& catalog) const {
  for (const SuppressionFile& file : files_) {
    for (const Suppression& s : file.entries) {
      if (!live(s, today_)) continue;
      if (!s.fingerprint.empty()) {
        if (s.fingerprint == f.fingerprint) return true;
        continue;
      }
      if (s.rule == f.rule && f.site.func != 0 && s.site == catalog.str(f.site.func)) return true;
    }
  }
  return false;
}

uint64_t Suppressor::apply(std::vector<Finding>* findings, const Catalog& catalog) {
  return remove_findings(findings, [&](const Finding& f) { return accepts(f, catalog); });
}

std::vector<Diagnostic> Suppressor::expired() const {
  std::vector<Diagnostic> out;
  for (const SuppressionFile& file : files_) {
    for (const Suppression& s : file.entries) {
      if (live(s, today_)) continue;
      Diagnostic d;
      d.severity = Severity::kWarning;
      d.file = s.file;
      d.line = s.line;
      d.column = s.column;
      d.message = fmt::format("suppression of {} expired on {}{}; its findings are reported again",
                              what(s), format_date(*s.expires),
                              s.reason.empty() ? "" : fmt::format(" (reason: {})", one_line(s.reason)));
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace gorleak
