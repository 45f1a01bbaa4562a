// doctest's main, plus exit code 77 (ctest SKIP) when a test skipped
// because an external tool is missing and nothing failed (tool_support.h).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "tool_support.h"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  int result = context.run();
  if (context.shouldExit()) return result;
  if (result == 0 && gorleak::test::any_test_skipped()) return 77;
  return result;
}
