// The --json report: one JSON object on stdout for scripts.
#pragma once

#include <string>

#include "report_data.h"

namespace qrun_cli {

std::string JsonReport(const ReportData& data);

}  // namespace qrun_cli
