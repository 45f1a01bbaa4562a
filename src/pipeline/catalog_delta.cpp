#include "pipeline/catalog_delta.h"

namespace gorleak {

CatalogDelta take_delta(const Catalog& local, CatalogMark* mark) {
  CatalogDelta d;
  d.first_string = static_cast<StrId>(mark->strings);
  for (size_t id = mark->strings; id < local.strings.size(); ++id)
    d.strings.push_back(local.strings.view(static_cast<StrId>(id)));
  d.first_stack = static_cast<StackId>(mark->stacks);
  for (size_t id = mark->stacks; id < local.stacks.size(); ++id)
    d.stacks.push_back(local.stacks.get(static_cast<StackId>(id)));
  mark->strings = local.strings.size();
  mark->stacks = local.stacks.size();
  return d;
}

void CatalogRemap::apply(const CatalogDelta& d) {
  // Deltas arrive in the order the worker took them, so each one starts
  // exactly where the maps end.
  strings_.resize(d.first_string);
  for (std::string_view s : d.strings) strings_.push_back(shared_.strings.intern(s));
  stacks_.resize(d.first_stack);
  for (const Stack& s : d.stacks) {
    frames_.assign(s.frames.begin(), s.frames.end());
    for (Frame& f : frames_) {
      f.func = strings_[f.func];
      f.file = strings_[f.file];
    }
    CreatedBy cb = s.created_by;
    cb.func = strings_[cb.func];
    cb.file = strings_[cb.file];
    stacks_.push_back(shared_.stacks.intern(frames_.data(), frames_.size(), cb, s.elided_count,
                                            s.elided_at));
  }
}

void CatalogRemap::remap(GoroutineRecord* r) const {
  r->stack = stacks_[r->stack];
  r->state = strings_[r->state];
  r->created_by.func = strings_[r->created_by.func];
  r->created_by.file = strings_[r->created_by.file];
}

}  // namespace gorleak
