// gorleak: read Go goroutine dumps, say which goroutines leak and why.
// Everything happens in the subcommands (commands.h); main only guards them.
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/options.h"
#include "pipeline/huge_pages.h"

int main(int argc, char** argv) {
  gorleak::use_huge_pages(argv);
  try {
    return gorleak::cli::dispatch(argc, argv);
  } catch (const std::exception& e) {
    gorleak::cli::print_error(e.what());
    return gorleak::cli::kExitUsage;
  }
}
