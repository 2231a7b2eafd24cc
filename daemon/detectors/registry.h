// The detector registry: every detector the daemon can run, in a fixed order. Config validation,
// the default config and the pipeline all enumerate detectors from here.
#pragma once

#include <span>
#include <string_view>

#include "tickguard/detector.h"

namespace tickguard {

// All registered detectors, in registration order. The span stays valid for the process lifetime.
std::span<const DetectorDescriptor> detector_registry();

// The detector named `name`, or nullptr when none is registered under that name.
const DetectorDescriptor* find_detector(std::string_view name);

}  // namespace tickguard
