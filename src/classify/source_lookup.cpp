#include "classify/source_lookup.h"

#include <filesystem>
#include <fstream>

namespace gorleak {

namespace {

// Source files beyond this are generated code or not Go at all.
constexpr uintmax_t kMaxSourceBytes = 16u << 20;

std::vector<std::string_view> path_parts(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find_first_of("/\\", i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) parts.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

SourceLookup::SourceLookup(std::vector<std::string> roots, bool guarded)
    : roots_(std::move(roots)), guarded_(guarded) {}

std::string declared_name(std::string_view func) {
  // Drop the package path, then the package name.
  size_t slash = func.rfind('/');
  std::string_view rest = slash == std::string_view::npos ? func : func.substr(slash + 1);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return {};
  rest = rest.substr(dot + 1);
  if (rest.size() > 3 && rest.substr(rest.size() - 3) == "-fm") rest.remove_suffix(3);
  // Split on dots outside brackets and parentheses: (*T), name, func1, 2…
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c == '.' && depth == 0) {
      parts.push_back(rest.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(rest.substr(start));
  // The declared name is the first part that is not a receiver type.
  for (std::string_view p : parts) {
    if (p.empty() || p.front() == '(') continue;
    size_t bracket = p.find('[');
    if (bracket != std::string_view::npos) p = p.substr(0, bracket);
    return std::string(p);
  }
  return {};
}

std::vector<std::string> default_source_roots() {
  std::vector<std::string> roots;
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec) return roots;
  roots.push_back(cwd.string());
  for (std::filesystem::path dir = cwd; !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / ".git", ec)) {
      if (dir != cwd) roots.push_back(dir.string());
      break;
    }
    if (dir == dir.parent_path()) break;
  }
  return roots;
}

bool SourceLookup::declares(std::string_view dump_path, std::string_view func) {
  if (!guarded_) return true;
  std::string name = declared_name(func);
  if (name.empty()) return false;
  File& f = file(dump_path);
  if (f.path.empty()) return false;
  for (std::string_view line : f.lines) {
    if (line.substr(0, 5) != "func ") continue;
    for (size_t p = line.find(name); p != std::string_view::npos; p = line.find(name, p + 1)) {
      char before = p > 0 ? line[p - 1] : ' ';
      char after = p + name.size() < line.size() ? line[p + name.size()] : ' ';
      if ((before == ' ' || before == ')') && (after == '(' || after == '[')) return true;
    }
  }
  return false;
}

std::string SourceLookup::resolve(std::string_view dump_path) {
  if (roots_.empty() || dump_path.empty()) return {};
  auto parts = path_parts(dump_path);
  // Longest trailing part first, so app/internal/x/y.go beats internal/x/y.go
  // beats y.go; roots in the order given break ties.
  for (size_t start = 0; start < parts.size(); ++start) {
    std::filesystem::path rel;
    for (size_t k = start; k < parts.size(); ++k) {
      if (parts[k] == ".." || parts[k] == ".") continue;  // never climb out of a root
      rel /= std::string(parts[k]);
    }
    if (rel.empty()) continue;
    for (const auto& root : roots_) {
      std::error_code ec;
      std::filesystem::path candidate = std::filesystem::path(root) / rel;
      if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
    }
  }
  return {};
}

SourceLookup::File& SourceLookup::file(std::string_view dump_path) {
  auto& slot = cache_[std::string(dump_path)];
  if (slot) return *slot;
  slot = std::make_unique<File>();
  File& f = *slot;
  f.loaded = true;
  f.path = resolve(dump_path);
  if (f.path.empty()) return f;
  std::error_code ec;
  if (std::filesystem::file_size(f.path, ec) > kMaxSourceBytes || ec) {
    f.path.clear();
    return f;
  }
  std::ifstream in(f.path, std::ios::binary);
  f.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::string_view t(f.text);
  size_t i = 0;
  while (i < t.size()) {
    size_t j = t.find('\n', i);
    if (j == std::string_view::npos) j = t.size();
    std::string_view line = t.substr(i, j - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f.lines.push_back(line);
    i = j + 1;
  }
  return f;
}

bool SourceLookup::window(std::string_view dump_path, uint32_t line, uint32_t before,
                          uint32_t after, SourceWindow* out) {
  File& f = file(dump_path);
  if (f.path.empty() || line == 0 || line > f.lines.size()) return false;
  uint32_t first = line > before ? line - before : 1;
  uint32_t last = std::min<uint64_t>(f.lines.size(), uint64_t{line} + after);
  out->path = f.path;
  out->first_line = first;
  out->lines.assign(f.lines.begin() + (first - 1), f.lines.begin() + last);
  return true;
}

}  // namespace gorleak
