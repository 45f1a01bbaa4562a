#include "report/stack_facts.h"

#include "model/user_code.h"

namespace gorleak {

StackFacts::StackFacts(const Catalog& catalog, std::vector<std::string> modules)
    : catalog_(catalog), modules_(std::move(modules)), user_(catalog.stacks.size(), kUnknown) {}

int StackFacts::user_frame(StackId stack) const {
  if (stack >= user_.size()) user_.resize(catalog_.stacks.size(), kUnknown);
  int32_t& u = user_[stack];
  if (u == kUnknown) u = find_user_frame(catalog_.stacks.get(stack), catalog_, modules_);
  return u;
}

}  // namespace gorleak
