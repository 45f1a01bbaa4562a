#include "report/folded_writer.h"

#include <fmt/format.h>

#include "report/text_escape.h"

namespace gorleak {

void folded_escape(std::string_view frame, std::string* out) {
  size_t start = out->size();
  text_escape(frame, out);
  // text_escape never writes ';' itself, so each one left came from the name.
  size_t semi = out->find(';', start);
  if (semi == std::string::npos) return;
  std::string tail = out->substr(start);
  out->resize(start);
  for (char ch : tail) {
    if (ch == ';') out->append("\\x3b");
    else out->push_back(ch);
  }
}

namespace {

class FoldedWriter final : public SnapshotWriter {
 public:
  void snapshot(const ReportInput& in, size_t si, ReportOutput& output) override {
    const Snapshot& snap = in.snapshots[si];
    std::string prefix;
    if (in.snapshots.size() > 1) {
      folded_escape(fmt::format("#{} {}", si + 1, snap.source), &prefix);
      prefix += ';';
    }
    std::string& out = output.text();
    for (uint32_t gi : in.selections[si].shown) {
      const Group& g = snap.groups[gi];
      const Stack& stack = in.catalog.stacks.get(g.stack);
      out += prefix;
      if (in.options.folded_state) {
        std::string_view state = in.catalog.str(g.state);
        folded_escape(state.empty() ? category_name(g.category) : state, &out);
        out += ';';
      }
      const size_t n = stack.frames.size();
      if (n == 0) out += "[no frames]";
      // The model holds frames innermost first, and Go's elision mark sits
      // between frame elided_at - 1 and frame elided_at.
      const bool elided = stack.elided_count != 0 && n > 0;
      std::string mark = stack.elided_count > 0
                             ? fmt::format("[{} frames elided]", stack.elided_count)
                             : std::string("[frames elided]");
      if (elided && stack.elided_at >= n) out += mark + ';';
      for (size_t k = n; k-- > 0;) {
        folded_escape(in.catalog.str(stack.frames[k].func), &out);
        if (elided && stack.elided_at == k && k > 0) out += ';' + mark;
        if (k > 0) out += ';';
      }
      if (elided && stack.elided_at == 0) out += ';' + mark;
      fmt::format_to(std::back_inserter(out), " {}\n", g.count);
      output.flush_if_due();
    }
  }
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_folded_writer() { return std::make_unique<FoldedWriter>(); }

}  // namespace gorleak
