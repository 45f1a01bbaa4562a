#include "report/json_stacks.h"

#include "report/json_report.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>


namespace gorleak {

JsonStackTable::JsonStackTable(const StackFacts& facts)
    : catalog_(facts.catalog()), facts_(facts), ids_(facts.catalog().stacks.size(), kNone) {}

uint32_t JsonStackTable::add(StackId stack) {
  uint32_t& id = ids_[stack];
  if (id == kNone) {
    id = static_cast<uint32_t>(order_.size());
    order_.push_back(stack);
  }
  return id;
}

namespace {

// The JSON text of each distinct frame object, formatted once: the same
// frame recurs in many stacks (every stack that blocks in a channel receive
// starts with the same runtime frames). Keyed by what a frame object shows
// (function, file, line; not a frame's flags). Open addressing over flat
// slots: a node-based map of strings cost a cache miss for the bucket, one
// for the node and one for the text, for every frame of 300k stacks. The
// texts go in fixed-size chunks, which never move: one growing arena's
// doubling held its old and new copies at once, at the report's peak of
// memory.
class FrameTexts {
 public:
  // The text of `f`; on first sight `render()` returns it, and a copy is
  // kept. The view stays valid while the FrameTexts lives.
  template <typename Render>
  std::string_view get(const Frame& f, Render&& render) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash(f.func, f.file, f.line) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.length == 0) {
        std::string_view text = render();
        s.func = f.func;
        s.file = f.file;
        s.line = f.line;
        s.text = keep(text);
        s.length = static_cast<uint32_t>(text.size());
        ++size_;
        return {s.text, s.length};
      }
      if (s.func == f.func && s.file == f.file && s.line == f.line) return {s.text, s.length};
    }
  }

 private:
  struct Slot {
    StrId func = 0;
    StrId file = 0;
    uint32_t line = 0;
    uint32_t length = 0;  // 0: empty (a frame object's text never is)
    const char* text = nullptr;
  };

  static constexpr size_t kChunkBytes = 64 * 1024;

  // A copy of `text` in the chunks; one longer than a chunk gets its own.
  const char* keep(std::string_view text) {
    if (text.size() > kChunkBytes) {
      chunks_.push_back(std::make_unique<char[]>(text.size()));
      std::memcpy(chunks_.back().get(), text.data(), text.size());
      return chunks_.back().get();
    }
    if (chunks_.empty() || chunk_used_ + text.size() > kChunkBytes) {
      // The current chunk stays where it is, behind the one-off ones.
      chunks_.push_back(std::make_unique<char[]>(kChunkBytes));
      current_ = chunks_.back().get();
      chunk_used_ = 0;
    }
    char* at = current_ + chunk_used_;
    std::memcpy(at, text.data(), text.size());
    chunk_used_ += text.size();
    return at;
  }

  static size_t hash(StrId func, StrId file, uint32_t line) {
    return hash_mix(hash_mix(func, file), line);
  }

  void grow() {
    std::vector<Slot> old(std::max<size_t>(1024, slots_.size() * 2));
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.length == 0) continue;
      size_t i = hash(s.func, s.file, s.line) & mask;
      while (slots_[i].length != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // power-of-two size, at most half full
  size_t size_ = 0;
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* current_ = nullptr;  // the chunk being filled
  size_t chunk_used_ = 0;
};

}  // namespace

void JsonStackTable::write(JsonWriter& w) const {
  FrameTexts frame_texts;
  // One writer formats every new frame object, made at the depth frames
  // sit at (the same in every stack), so one text serves every stack.
  std::string frame_text;
  std::optional<JsonWriter> frame_writer;
  w.begin_array();
  for (uint32_t id = 0; id < order_.size(); ++id) {
    const Stack& stack = catalog_.stacks.get(order_[id]);
    w.begin_object();
    w.field("id", id);
    w.key("frames");
    w.begin_array();
    for (const Frame& f : stack.frames) {
      w.raw_value(frame_texts.get(f, [&] {
        if (!frame_writer) frame_writer.emplace(&frame_text, w.indent(), w.depth());
        frame_text.clear();
        frame_writer->begin_object();
        frame_writer->field("func", catalog_.str(f.func));
        frame_writer->field("file", catalog_.str(f.file));
        frame_writer->field("line", f.line);
        frame_writer->end_object();
        frame_writer->flush();
        return std::string_view(frame_text);
      }));
    }
    w.end_array();
    w.key("elided");
    write_json_elided(w, stack);
    // The creator is part of the stack's identity: the same frames started
    // by two different `go` statements are two stacks.
    w.key("created_by");
    if (!stack.created_by.present()) {
      w.null();
    } else {
      w.begin_object();
      w.field("func", catalog_.str(stack.created_by.func));
      w.field("file", catalog_.str(stack.created_by.file));
      w.field("line", stack.created_by.line);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
}

}  // namespace gorleak
