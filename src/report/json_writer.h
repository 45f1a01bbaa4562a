// The one JSON writer every output uses (report, diff, trend…): a small
// streaming API that keeps commas and indentation right, and one string
// escaper that always produces valid JSON, whatever bytes a dump held.
#pragma once

#include <cstdio>

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gorleak {

// Appends `s` as a quoted JSON string: `"` `\`, control characters, DEL
// and the code points of is_control_code_point (report/utf8.h: C1 controls,
// U+2028/U+2029, bidi controls) are escaped, other valid
// UTF-8 is copied as is, and every byte that is not part of a valid UTF-8
// sequence (overlong forms, surrogates, > U+10FFFF included) becomes
// U+FFFD. So the output is always valid UTF-8 JSON, is valid JavaScript too,
// and holds nothing a terminal would act on.
void json_escape(std::string_view s, std::string* out);
std::string json_quote(std::string_view s);

class JsonWriter {
 public:
  // indent 0 writes everything on one line; otherwise pretty-printed with
  // `indent` spaces per level. The output is appended to *out.
  explicit JsonWriter(std::string* out, int indent = 2);
  // A writer for a value that will sit `depth` levels deep in another
  // writer's document (see raw_value()).
  JsonWriter(std::string* out, int indent, size_t depth);
  // Text is staged in a small buffer and moved to *out in pieces: *out is
  // complete after finish(), flush() or the writer's destruction.
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // Inside an object, each value is preceded by key().
  void key(std::string_view k);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(bool b);
  void value(double d);  // non-finite numbers are written as null
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  void value(T v) {
    if constexpr (std::is_signed_v<T>)
      write_int(static_cast<int64_t>(v));
    else
      write_uint(static_cast<uint64_t>(v));
  }
  void null();
  // Copies a value rendered before by JsonWriter(&json, indent(), depth()):
  // a value that recurs is formatted once and copied after that.
  void raw_value(std::string_view json);
  int indent() const { return static_cast<int>(indent_); }
  // Levels of nesting a value written now sits at.
  size_t depth() const { return base_depth_ + stack_.size(); }

  // key + value in one call.
  template <typename T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }
  void null_field(std::string_view k) {
    key(k);
    null();
  }

  // Ends the document with a newline (when pretty-printing).
  void finish();

  // Streams the text to `sink` whenever *out passes kFlushBytes, and on
  // flush(); without a sink everything stays in the string.
  void set_sink(std::FILE* sink);
  void flush();
  bool write_failed() const { return write_failed_; }
  // True when every object/array opened has been closed.
  bool balanced() const { return stack_.empty(); }

 private:
  // Moves the staged text to *out_ (and on to the sink when due).
  void commit();
  // Where n more bytes can be staged, or nullptr when n never fits (then
  // everything staged is already in *out_).
  char* room(size_t n);
  void put(const char* p, size_t n);
  void write_to_sink();
  void before_value();
  // The comma (when `comma`), then the newline and indentation of the
  // current level when pretty-printing; flushes to the sink when due.
  void separate(bool comma);
  // Flushes when due; returns how many bytes of separator_ after the comma
  // (newline + indentation) the current level needs.
  size_t separator_length();
  void write_int(int64_t v);
  void write_uint(uint64_t v);

  struct Level {
    bool object = false;
    bool empty = true;
  };
  static constexpr size_t kFlushBytes = 64 * 1024;
  // Staging: a key or a value is a pointer bump here, where a
  // std::string::append per piece cost more than the copying.
  static constexpr size_t kStageBytes = 16 * 1024;
  std::string* out_;
  std::FILE* sink_ = nullptr;
  bool write_failed_ = false;
  size_t indent_;
  size_t base_depth_ = 0;
  std::string separator_;  // ",\n" + spaces, grown to the deepest level
  std::vector<Level> stack_;
  bool after_key_ = false;
  std::unique_ptr<char[]> staged_;
  size_t staged_size_ = 0;
};

}  // namespace gorleak
