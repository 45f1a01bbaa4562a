// The URL options shared by every command that reads a live service
// (analyze, diff, trend, probe, watch), in curl's spirit: -H, --timeout,
// --connect-timeout, --insecure, --cacert; plus gorleak's own
// --no-leak-profile. Their defaults and reasons are in fetch/http_source.h.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "fetch/fetch_dump.h"

namespace gorleak::cli {

namespace po = boost::program_options;

struct FetchArgs {
  std::vector<std::string> headers;
  std::string timeout = "60s";
  std::string connect_timeout = "10s";
  bool insecure = false;
  std::string cacert;
  bool no_leak_profile = false;
};

void add_fetch_options(po::options_description& desc, FetchArgs* o);
// False with a one-line message on a bad value.
bool make_fetch_options(const FetchArgs& in, FetchDumpOptions* out, std::string* error);

}  // namespace gorleak::cli
