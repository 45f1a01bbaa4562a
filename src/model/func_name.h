// Splitting Go symbol names ("net/http.(*Server).Serve", "main.main.func1",
// "pkg.(*Box[...]).Wait") into package, receiver and name, and telling the
// user's code from the standard library and runtime.
#pragma once

#include <string_view>

namespace gorleak {

struct FuncParts {
  std::string_view package;   // "net/http", "example.com/app/internal/x"
  std::string_view receiver;  // "*Server", "Server", or empty
  std::string_view name;      // "Serve", "main.func1", "loop-fm"
};

FuncParts split_func(std::string_view func);

// Standard library (no dot in the first path element: "net/http", "sync",
// "internal/poll", "vendor/golang.org/x/net/…", "golang.org/toolchain"…),
// including runtime. `main` and user modules are not stdlib.
bool is_stdlib_func(std::string_view func);
bool is_runtime_func(std::string_view func);

}  // namespace gorleak
