// Writing a loaded dump in any format in-process, as `gorleak analyze`
// would: classified with the built-in rules (source_roots standing for
// --source-root), every loaded rule in the report's context.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/report_options.h"
#include "test_support.h"

namespace gorleak::test {

// Runs the built-in rules over every snapshot of `l` (once; again with
// other roots replaces the findings).
void classify_loaded(Loaded& l, const std::vector<std::string>& source_roots = {});
// The report of `l` in the format named `format` (which must support
// analyze). options.source_roots is also used for SARIF's paths.
std::string render(const Loaded& l, std::string_view format, const ReportOptions& options = {});

}  // namespace gorleak::test
