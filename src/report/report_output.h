// Where a report's bytes go. Every writer appends to text() and calls
// flush_if_due() at natural breaks (after a group, a snapshot, a section):
// with a sink (stdout) the text moves there in pieces, so memory stays
// bounded however large the report; without one the whole report stays in
// the string (tests, fuzzing, the library's convenience functions).
#pragma once

#include <cstdio>
#include <string>

namespace gorleak {

class ReportOutput {
 public:
  // `out` must outlive this object; text appended before construction is
  // kept and written first.
  explicit ReportOutput(std::string* out, std::FILE* sink = nullptr) : out_(out), sink_(sink) {}

  std::string& text() { return *out_; }
  std::string* string() { return out_; }
  std::FILE* sink() const { return sink_; }

  // Moves the text to the sink once it passes kFlushBytes (no-op without a sink).
  void flush_if_due() {
    if (sink_ != nullptr && out_->size() >= kFlushBytes) flush();
  }
  // Moves all text to the sink (no-op without a sink).
  void flush();
  // A write to the sink failed (a closed pipe, a full disk), here or in a
  // JsonWriter streaming to the same sink (note_failed()).
  bool failed() const { return failed_; }
  void note_failed() { failed_ = true; }

  static constexpr size_t kFlushBytes = 64 * 1024;

 private:
  std::string* out_;
  std::FILE* sink_;
  bool failed_ = false;
};

}  // namespace gorleak
