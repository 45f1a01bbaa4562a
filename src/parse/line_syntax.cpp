#include "parse/line_syntax.h"

#include <bit>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gorleak {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// False when no byte of p[0, n) is at most ' ' (so none is a blank): eight
// bytes per step, where two memchr calls cost more than the name is long.
bool may_have_blank(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto below_0x21 = [&](size_t at) {  // high bit set in a byte below 0x21
    uint64_t w;
    memcpy(&w, p + at, 8);
    return (w - kOnes * 0x21) & ~w;
  };
  if (n < 8) {
    for (size_t i = 0; i < n; ++i)
      if (static_cast<unsigned char>(p[i]) <= ' ') return true;
    return false;
  }
  uint64_t any = below_0x21(n - 8);  // the last, possibly overlapping, word
  for (size_t i = 0; i + 8 < n; i += 8) any |= below_0x21(i);
  return (any & kHigh) != 0;
}

constexpr size_t kNoParen = ~size_t{0};

// Offset of the last '(' or ')' in p[0, n), or kNoParen. Sixteen (or
// eight) bytes per step from the end: a function line's arguments are a
// few words long, and two library scans (memrchr, then memchr for nesting)
// cost more than that.
size_t last_paren(const char* p, size_t n) {
#if defined(__SSE2__)
  // '(' is 0x28 and ')' 0x29: with bit 0 set, both are 0x29.
  const __m128i ones = _mm_set1_epi8(0x01);
  const __m128i paren = _mm_set1_epi8(0x29);
  while (n >= 16) {
    __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
    unsigned hits =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(w, ones), paren)));
    if (hits != 0) return n - 16 + static_cast<size_t>(31 - __builtin_clz(hits));
    n -= 16;
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  while (std::endian::native == std::endian::little && n >= 8) {
    uint64_t w;
    memcpy(&w, p + n - 8, 8);
    // '(' is 0x28 and ')' 0x29: setting bit 0 makes both 0x29, and the
    // bytes equal to 0x29 are then the zero bytes of v (found exactly, with
    // no borrow between bytes, so the highest one is the last paren; the
    // highest byte is the last in memory on a little-endian machine).
    uint64_t v = (w | kOnes) ^ (kOnes * 0x29);
    uint64_t zero = ~(((v & kLow7) + kLow7) | v | kLow7);
    if (zero != 0) return n - 8 + static_cast<size_t>((63 - __builtin_clzll(zero)) / 8);
    n -= 8;
  }
  while (n > 0) {
    --n;
    if (p[n] == '(' || p[n] == ')') return n;
  }
  return kNoParen;
}

// Leading decimal digits of `s`; sets *overflow when they exceed uint64.
size_t scan_u64(std::string_view s, uint64_t* out, bool* overflow) {
  uint64_t v = 0;
  size_t i = 0;
  *overflow = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) *overflow = true;
    if (!*overflow) v = v * 10 + d;
  }
  *out = *overflow ? UINT64_MAX : v;
  return i;
}

// One comma item of a header state: minutes, thread lock, bubbles.
void parse_state_item(std::string_view item, HeaderLine* out) {
  uint64_t n = 0;
  bool overflow = false;
  size_t digits = scan_u64(item, &n, &overflow);
  if (digits > 0 && item.substr(digits) == " minutes") {
    out->wait_minutes = overflow || n > INT64_MAX ? INT64_MAX : static_cast<int64_t>(n);
    return;
  }
  if (item == "locked to thread") {
    out->locked_to_thread = true;
    return;
  }
  for (std::string_view p : {std::string_view("synctest bubble "), std::string_view("synctest group ")}) {
    if (starts_with(item, p)) {
      std::string_view rest = item.substr(p.size());
      if (scan_u64(rest, &n, &overflow) == rest.size() && !rest.empty()) {
        out->bubble = overflow || n > INT64_MAX ? INT64_MAX : static_cast<int64_t>(n);
        out->bubble_is_group = p == "synctest group ";
        return;
      }
    }
  }
  out->unknown_items = true;
}

// STATE[ (leaked)][ (scan)][ (durable)][, item]… with labels already removed.
void parse_state(std::string_view content, HeaderLine* out) {
  size_t comma = content.find(", ");
  std::string_view reason = content.substr(0, comma);
  for (bool again = true; again;) {
    again = false;
    struct Q { std::string_view text; bool* flag; };
    const Q qualifiers[] = {{" (leaked)", &out->leaked}, {" (scan)", &out->scan},
                            {" (durable)", &out->durable},
                            {" (synctest)", &out->synctest_qualifier}};
    for (const Q& q : qualifiers) {
      if (ends_with(reason, q.text)) {
        reason.remove_suffix(q.text.size());
        *q.flag = true;
        again = true;
      }
    }
  }
  out->durable = out->durable || out->synctest_qualifier;
  out->reason = reason;
  while (comma != std::string_view::npos) {
    content = content.substr(comma + 2);
    comma = content.find(", ");
    parse_state_item(content.substr(0, comma), out);
  }
}

bool mask_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(static_cast<char>(c)) ||
         c == '.' || c == '?' || c == '*' || c == '#' || c == '_' || c == '-' || c == '<' ||
         c == '>' || c >= 0x80;
}

size_t scan_masked_id(std::string_view s, uint64_t* id, bool* overflow, bool* masked);

// The goroutine id at the start of `s`: digits, or a masked id (see
// HeaderLine) ending at a blank. Returns its length, 0 when there is none.
inline size_t scan_goroutine_id(std::string_view s, uint64_t* id, bool* overflow, bool* masked) {
  *masked = false;
  size_t digits = scan_u64(s, id, overflow);
  if (digits > 0 && (digits == s.size() || s[digits] == ' ')) return digits;
  return scan_masked_id(s, id, overflow, masked);
}

[[gnu::noinline]] size_t scan_masked_id(std::string_view s, uint64_t* id, bool* overflow,
                                        bool* masked) {
  size_t end = s.find(' ');
  if (end == std::string_view::npos || !is_masked_id(s.substr(0, end))) return 0;
  *id = 0;
  *overflow = false;
  *masked = true;
  return end;
}

}  // namespace

bool is_masked_id(std::string_view token) {
  if (token.empty() || token.size() > 32) return false;
  // Letters must repeat one letter (NNNNN, XXX, xxx) unless the token is a
  // `<placeholder>`: a word such as "leak" in log text is not an id.
  bool angled = token.size() > 2 && token.front() == '<' && token.back() == '>';
  bool all_digits = true;
  char letter = 0;
  for (char c : token) {
    if (!mask_char(static_cast<unsigned char>(c))) return false;
    all_digits = all_digits && is_digit(c);
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alpha || angled) continue;
    char lower = static_cast<char>(c | 0x20);
    if (letter != 0 && letter != lower) return false;
    letter = lower;
  }
  return !all_digits;
}

bool parse_u64(std::string_view s, uint64_t* out) {
  bool overflow = false;
  return !s.empty() && scan_u64(s, out, &overflow) == s.size() && !overflow;
}

bool parse_header(std::string_view line, HeaderLine* out) {
  constexpr std::string_view kPrefix = "goroutine ";
  if (!starts_with(line, kPrefix)) return false;
  line = trim_right(line);
  if (line.empty() || line.back() != ':') return false;
  std::string_view rest = line.substr(kPrefix.size());
  *out = HeaderLine{};
  size_t digits = scan_goroutine_id(rest, &out->id, &out->id_overflow, &out->id_masked);
  if (digits == 0) return false;
  rest = rest.substr(digits);
  // 1.22+ `gp=0x… m=N mp=0x…` sits between the id and the bracket.
  if (starts_with(rest, " gp=")) {
    size_t b = rest.find(" [");
    if (b == std::string_view::npos) return false;
    rest = rest.substr(b);
    out->has_gp = true;
  }
  if (!starts_with(rest, " [")) return false;
  rest = rest.substr(2, rest.size() - 3);  // drop " [" and the final ':'
  std::string_view content;
  if (!rest.empty() && rest.back() == ']') {
    content = rest.substr(0, rest.size() - 1);
  } else if (!rest.empty() && rest.back() == '}') {
    // 1.27: `] {k: v}` after the bracket; the state never contains "] {".
    size_t k = rest.find("] {");
    if (k == std::string_view::npos) return false;
    content = rest.substr(0, k);
    out->labels = rest.substr(k + 3, rest.size() - k - 4);
  } else {
    return false;
  }
  // 1.26: ` labels:{"k": "v"}` inside the bracket, after every other item.
  size_t l = content.find(" labels:{");
  if (l != std::string_view::npos && !content.empty() && content.back() == '}') {
    out->labels = content.substr(l + 9, content.size() - l - 10);
    out->labels_quoted_keys = true;
    content = content.substr(0, l);
  }
  parse_state(content, out);
  return true;
}

bool parse_goleak_header(std::string_view line, HeaderLine* out) {
  line = trim_right(trim_left(line));
  if (!line.empty() && line.front() == '[') line = trim_left(line.substr(1));
  constexpr std::string_view kPrefix = "Goroutine ";
  constexpr std::string_view kSuffix = " on top of the stack:";
  if (!starts_with(line, kPrefix) || !ends_with(line, kSuffix)) return false;
  std::string_view rest = line.substr(kPrefix.size());
  *out = HeaderLine{};
  size_t digits = scan_goroutine_id(rest, &out->id, &out->id_overflow, &out->id_masked);
  if (digits == 0) return false;
  rest = rest.substr(digits);
  constexpr std::string_view kState = " in state ";
  if (!starts_with(rest, kState)) return false;
  rest = rest.substr(kState.size(), rest.size() - kState.size() - kSuffix.size());
  size_t with = rest.rfind(", with ");
  if (with == std::string_view::npos) return false;
  parse_state(rest.substr(0, with), out);
  return true;
}

bool split_func_line(std::string_view s, FuncLine* out) {
  // Hot path: called for every other line of a debug=2 dump.
  size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) --n;
  if (n < 3 || s[n - 1] != ')') return false;
  const char* base = s.data();
  size_t last = last_paren(base, n - 1);
  const char* open = last == kNoParen || base[last] != '(' ? nullptr : base + last;
  // Arguments rarely nest parentheses; when they do ("(...)" inside or a
  // receiver in the name) match them from the end.
  if (open == nullptr) {
    int depth = 0;
    open = nullptr;
    for (size_t i = n; i-- > 0;) {
      if (base[i] == ')') ++depth;
      else if (base[i] == '(' && --depth == 0) {
        open = base + i;
        break;
      }
    }
    if (open == nullptr) return false;
  }
  size_t open_at = static_cast<size_t>(open - base);
  if (open_at == 0) return false;
  out->func = s.substr(0, open_at);
  out->args = s.substr(open_at + 1, n - open_at - 2);
  out->inlined = out->args == "...";
  return true;
}

bool symbol_has_blank(std::string_view name) {
  return may_have_blank(name.data(), name.size()) &&
         (memchr(name.data(), ' ', name.size()) != nullptr ||
          memchr(name.data(), '\t', name.size()) != nullptr);
}

bool parse_func_line(std::string_view s, FuncLine* out) {
  // Symbol names never contain blanks (the linker escapes them), so a line
  // with one is log text that happens to end in ')'.
  return split_func_line(s, out) && !symbol_has_blank(out->func);
}

bool split_joined_frame(std::string_view t, std::string_view* func_part, FileLine* file) {
  if (t.empty()) return false;
  char last = t.back();  // a file line ends in its line number or offset
  if (!((last >= '0' && last <= '9') || (last >= 'a' && last <= 'f'))) return false;
  for (size_t p = t.rfind(") "); p != std::string_view::npos;
       p = p == 0 ? std::string_view::npos : t.rfind(") ", p - 1)) {
    if (!parse_file_line(trim_left(t.substr(p + 2)), file)) continue;
    *func_part = t.substr(0, p + 1);
    return true;
  }
  return false;
}

bool parse_file_line(std::string_view s, FileLine* out) {
  // Parsed from the end: `PATH:LINE[ +0xOFF][ fp=0x… sp=0x… pc=0x…]`. The
  // path itself is never scanned (it may contain spaces and colons).
  size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) --n;
  if (n == 0 || s[n - 1] == ')') return false;  // a function line
  const char* b = s.data();
  auto hex_run_back = [&](size_t end) {
    size_t i = end;
    while (i > 0 && is_hex(b[i - 1])) --i;
    return i;
  };
  if (n > 4 && is_hex(b[n - 1])) {
    size_t h = hex_run_back(n);
    if (h >= 4 && b[h - 1] == 'x' && b[h - 2] == '0' && b[h - 3] == '+' && b[h - 4] == ' ') {
      n = h - 4;  // ` +0xOFF`, the common case
    } else if (h >= 5 && b[h - 1] == 'x' && b[h - 2] == '0' && b[h - 3] == '=' &&
               b[h - 4] == 'c' && b[h - 5] == 'p') {
      // Level-2 tracebacks append ` fp=… sp=… pc=…`; cgo symbolizers ` pc=…`.
      std::string_view head = s.substr(0, h - 5);
      size_t fp = head.rfind(" fp=0x");
      n = fp != std::string_view::npos ? fp : h - 5;
      while (n > 0 && b[n - 1] == ' ') --n;
      if (n > 4 && is_hex(b[n - 1])) {
        size_t o = hex_run_back(n);
        if (o >= 4 && b[o - 1] == 'x' && b[o - 2] == '0' && b[o - 3] == '+' && b[o - 4] == ' ')
          n = o - 4;
      }
    }
  }
  size_t d = n;
  while (d > 0 && is_digit(b[d - 1])) --d;
  if (d == n || d < 2 || b[d - 1] != ':' || n - d > 10) return false;
  uint64_t line = 0;
  for (size_t i = d; i < n; ++i) line = line * 10 + static_cast<uint64_t>(b[i] - '0');
  if (line > UINT32_MAX) return false;
  out->file = s.substr(0, d - 1);
  out->line = static_cast<uint32_t>(line);
  return true;
}

bool strip_markdown_links(std::string_view s, std::string* out) {
  out->clear();
  bool changed = false;
  size_t i = 0;
  while (i < s.size()) {
    size_t open = s.find('[', i);
    size_t mid = open == std::string_view::npos ? open : s.find("](", open);
    size_t close = mid == std::string_view::npos ? mid : s.find(')', mid + 2);
    if (close == std::string_view::npos) break;
    out->append(s.substr(i, open - i));
    out->append(s.substr(open + 1, mid - open - 1));
    i = close + 1;
    changed = true;
  }
  out->append(s.substr(i < s.size() ? i : s.size()));
  return changed;
}

bool parse_created_by(std::string_view s, CreatedByLine* out) {
  constexpr std::string_view kPrefix = "created by ";
  s = trim_right(s);
  if (!starts_with(s, kPrefix)) return false;
  s = s.substr(kPrefix.size());
  *out = CreatedByLine{};
  constexpr std::string_view kIn = " in goroutine ";
  size_t in = s.rfind(kIn);
  if (in != std::string_view::npos) {
    std::string_view id = s.substr(in + kIn.size());
    if (parse_u64(id, &out->parent_id)) {
      out->has_parent = true;
      s = s.substr(0, in);
    } else if (is_masked_id(id)) {
      out->parent_masked = true;
      s = s.substr(0, in);
    }
  }
  if (s.empty()) return false;
  out->func = s;
  return true;
}

bool parse_elision(std::string_view s, int32_t* count) {
  s = trim_right(s);
  if (s == "...additional frames elided...") {
    *count = -1;
    return true;
  }
  constexpr std::string_view kSuffix = " frames elided...";
  if (!starts_with(s, "...") || !ends_with(s, kSuffix)) return false;
  uint64_t n = 0;
  if (!parse_u64(s.substr(3, s.size() - 3 - kSuffix.size()), &n)) return false;
  *count = n > INT32_MAX ? INT32_MAX : static_cast<int32_t>(n);
  return true;
}

bool parse_ancestor_header(std::string_view s, uint64_t* id) {
  constexpr std::string_view kPrefix = "[originating from goroutine ";
  s = trim_right(s);
  if (!starts_with(s, kPrefix) || !ends_with(s, "]:")) return false;
  return parse_u64(s.substr(kPrefix.size(), s.size() - kPrefix.size() - 2), id);
}

bool parse_profile_header(std::string_view s, ProfileHeader* out) {
  constexpr std::string_view kMid = " profile: total ";
  // Every line that starts nothing else is asked, and a search for kMid
  // stops at each space: both names start "goroutine".
  if (!starts_with(s, "goroutine")) return false;
  s = trim_right(s);
  size_t mid = s.find(kMid);
  if (mid == std::string_view::npos) return false;
  std::string_view name = s.substr(0, mid);
  if (name != "goroutine" && name != "goroutineleak") return false;
  out->name = name;
  return parse_u64(s.substr(mid + kMid.size()), &out->total);
}

bool parse_debug1_record(std::string_view s, uint64_t* count) {
  bool overflow = false;
  size_t digits = scan_u64(s, count, &overflow);
  if (digits == 0) return false;
  // A count past 2^64 reads as UINT64_MAX; the parser refuses it with a
  // warning instead of skipping the line without a word.
  s = s.substr(digits);
  return s == " @" || starts_with(s, " @ ");
}

bool parse_debug1_frame(std::string_view s, Debug1Frame* out) {
  if (!s.empty() && s.front() == '#') s.remove_prefix(1);
  s = trim_left(s);
  if (!starts_with(s, "0x")) return false;
  size_t i = 2;
  while (i < s.size() && is_hex(s[i])) ++i;
  if (i == 2) return false;
  *out = Debug1Frame{};
  s = trim_left(s.substr(i));
  if (s.empty()) return true;  // a PC with no symbol
  // Columns are tab-separated (tabwriter pads with more tabs); the file
  // may contain spaces, the function never does.
  // (std::string_view::find_first_of calls memchr once per byte.)
  size_t end = 0;
  while (end < s.size() && s[end] != '\t' && s[end] != ' ') ++end;
  if (end == s.size()) return false;
  std::string_view func = s.substr(0, end);
  size_t h = func.size();
  while (h > 0 && is_hex(func[h - 1])) --h;
  if (h >= 3 && h < func.size() && func[h - 1] == 'x' && func[h - 2] == '0' && func[h - 3] == '+')
    func = func.substr(0, h - 3);
  FileLine fl;
  if (!parse_file_line(trim_left(s.substr(end)), &fl)) return false;
  out->func = func;
  out->file = fl.file;
  out->line = fl.line;
  return !func.empty();
}

bool parse_debug1_labels(std::string_view s, std::string_view* labels) {
  constexpr std::string_view kPrefix = "# labels: {";
  s = trim_right(s);
  if (!starts_with(s, kPrefix) || s.back() != '}') return false;
  *labels = s.substr(kPrefix.size(), s.size() - kPrefix.size() - 1);
  return true;
}

}  // namespace gorleak
