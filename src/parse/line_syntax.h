// Pure functions that recognise one line of a dump. No state, no allocation:
// every result points into the line it was given. The Parser combines them.
#pragma once

#include <cstdint>
#include <string_view>

namespace gorleak {

// Parses a decimal uint64; false on empty, non-digit or overflow.
bool parse_u64(std::string_view s, uint64_t* out);

// `goroutine ID[ gp=… m=… mp=…] [STATE…][ {LABELS}]:` (any Go version).
// People who paste dumps into issues often mask the ids (`goroutine NNNNN
// [chan send]:`, `goroutine XXX`, `goroutine …`): a token of letters, dots,
// `?`, `*`, `#`, `_`, `-`, `<>` or non-ASCII bytes (digits may mix in) is
// read as a masked id, so the goroutine is kept with its id unknown.
struct HeaderLine {
  uint64_t id = 0;
  bool id_overflow = false;   // more digits than fit in 64 bits
  bool id_masked = false;     // the id was replaced by a placeholder; `id` is 0
  bool has_gp = false;        // ` gp=… m=…` (Go 1.22+)
  std::string_view reason;    // base wait reason, qualifiers removed
  int64_t wait_minutes = -1;
  bool locked_to_thread = false;
  bool leaked = false;
  bool durable = false;
  bool synctest_qualifier = false;  // 1.24's `(synctest)`, folded into `durable`
  bool scan = false;
  int64_t bubble = -1;
  bool bubble_is_group = false;     // 1.24's `synctest group N` (1.25+: `bubble`)
  std::string_view labels;        // inside the braces, either syntax
  bool labels_quoted_keys = false;  // 1.26 `labels:{"k": "v"}` form
  bool unknown_items = false;       // comma items we did not recognise
};
bool parse_header(std::string_view line, HeaderLine* out);

// goleak: `Goroutine N in state S, with F on top of the stack:`, optionally
// preceded by `[` or spaces. Fills id and the state fields like a header.
bool parse_goleak_header(std::string_view line, HeaderLine* out);

// `FUNC(ARGS)`: function name and argument text (without the parentheses).
struct FuncLine {
  std::string_view func;
  std::string_view args;
  bool inlined = false;  // args == "..."
};
bool parse_func_line(std::string_view trimmed, FuncLine* out);
// parse_func_line() in two steps, for a caller that remembers which names
// it has already checked: split_func_line() finds the name and arguments,
// and the line is a function line only if !symbol_has_blank(name).
bool split_func_line(std::string_view trimmed, FuncLine* out);
bool symbol_has_blank(std::string_view name);

// `PATH:LINE[ +0xOFF][ fp=… sp=… pc=…]` after leading whitespace is removed.
struct FileLine {
  std::string_view file;
  uint32_t line = 0;
};
bool parse_file_line(std::string_view trimmed, FileLine* out);

// GitHub turns `file.go:123` into `file.go:[123](https://…)` when logs are
// copied from its UI. Writes the text with every `[x](y)` replaced by x.
// Returns false when there was no link to remove.
bool strip_markdown_links(std::string_view s, std::string* out);

// `created by FUNC[ in goroutine N]`. A masked N (see HeaderLine) leaves
// has_parent false and sets parent_masked.
struct CreatedByLine {
  std::string_view func;
  bool has_parent = false;
  bool parent_masked = false;
  uint64_t parent_id = 0;
};
bool parse_created_by(std::string_view trimmed, CreatedByLine* out);

// Whether `token` is a placeholder someone put where a goroutine id was
// (see HeaderLine): not all digits, at most 32 bytes, and only characters
// from the placeholder alphabet.
bool is_masked_id(std::string_view token);

// `...N frames elided...` (count N) or `...additional frames elided...` (-1).
bool parse_elision(std::string_view trimmed, int32_t* count);

// `[originating from goroutine N]:`
bool parse_ancestor_header(std::string_view trimmed, uint64_t* id);

// pprof debug=1: `NAME profile: total N`.
struct ProfileHeader {
  std::string_view name;  // "goroutine", "goroutineleak"
  uint64_t total = 0;
};
bool parse_profile_header(std::string_view line, ProfileHeader* out);

// pprof debug=1 record: `COUNT @ 0xPC 0xPC …`.
bool parse_debug1_record(std::string_view line, uint64_t* count);

// pprof debug=1 frame: `#\t0xPC\tFUNC+0xOFF\tFILE:LINE` (tabs may repeat;
// the leading `#` may have been lost to markdown). `func` is empty for a PC
// with no symbol.
struct Debug1Frame {
  std::string_view func;
  std::string_view file;
  uint32_t line = 0;
};
bool parse_debug1_frame(std::string_view line, Debug1Frame* out);

// `# labels: {…}` → the text inside the braces.
bool parse_debug1_labels(std::string_view line, std::string_view* labels);

inline std::string_view trim_left(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}
inline std::string_view trim_right(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) --n;
  return s.substr(0, n);
}
inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

}  // namespace gorleak
