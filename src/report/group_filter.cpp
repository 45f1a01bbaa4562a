#include "report/group_filter.h"

#include <re2/re2.h>

namespace gorleak {

namespace {

std::unique_ptr<re2::RE2> compile(const std::string& pattern, const char* flag,
                                  std::string* error) {
  if (pattern.empty()) return nullptr;
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(pattern, opts);
  if (!re->ok()) {
    *error = std::string(flag) + ": invalid regular expression '" + pattern +
             "': " + re->error();
    return nullptr;
  }
  return re;
}

}  // namespace

GroupFilter::GroupFilter() = default;
GroupFilter::~GroupFilter() = default;
GroupFilter::GroupFilter(GroupFilter&&) noexcept = default;
GroupFilter& GroupFilter::operator=(GroupFilter&&) noexcept = default;

bool GroupFilter::init(const ReportOptions& options, std::string* error) {
  error->clear();
  match_ = compile(options.match, "--match", error);
  if (!error->empty()) return false;
  exclude_ = compile(options.exclude, "--exclude", error);
  if (!error->empty()) return false;
  min_count_ = options.min_count;
  return true;
}

bool GroupFilter::any_matches(const re2::RE2& re, const Group& group,
                              const Catalog& catalog) const {
  if (re2::RE2::PartialMatch(catalog.str(group.state), re)) return true;
  if (re2::RE2::PartialMatch(category_name(group.category), re)) return true;
  const Stack& stack = catalog.stacks.get(group.stack);
  for (const Frame& f : stack.frames)
    if (re2::RE2::PartialMatch(catalog.str(f.func), re)) return true;
  if (stack.created_by.present() &&
      re2::RE2::PartialMatch(catalog.str(stack.created_by.func), re))
    return true;
  return false;
}

bool GroupFilter::keep(const Group& group, const Catalog& catalog) const {
  if (group.count < min_count_) return false;
  if (match_ && !any_matches(*match_, group, catalog)) return false;
  if (exclude_ && any_matches(*exclude_, group, catalog)) return false;
  return true;
}

GroupSelection select_groups(const Snapshot& snapshot, const Catalog& catalog,
                             const GroupFilter& filter, size_t top) {
  GroupSelection sel;
  for (uint32_t i = 0; i < snapshot.groups.size(); ++i) {
    const Group& g = snapshot.groups[i];
    if (!filter.keep(g, catalog)) continue;
    ++sel.matched;
    sel.matched_goroutines += g.count;
    if (top == 0 || sel.shown.size() < top) sel.shown.push_back(i);
  }
  return sel;
}

}  // namespace gorleak
