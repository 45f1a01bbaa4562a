// One input named on a command line, whatever it is: a dump file, `-`
// (standard input) or the http(s) URL of a running service. Commands load
// through here so that every one of them takes URLs the same way.
#pragma once

#include <string>

#include "fetch/fetch_dump.h"
#include "model/catalog.h"
#include "pipeline/load.h"

namespace gorleak::cli {

struct InputLoad {
  LoadResult result;
  std::string name;           // as reports show it (a URL's credentials masked)
  bool fetch_failed = false;  // a URL's transfer failed (error Diagnostic in result)
};

// URLs show a progress line on a terminal (cli/progress_line.h).
InputLoad load_input(Catalog& catalog, const std::string& input, const LoadOptions& load,
                     const FetchDumpOptions& fetch);

}  // namespace gorleak::cli
