// The one place a detector is named: adding a detector is a file pair plus one line below.
// An explicit list, not static self-registration, which a static library would silently drop.
#include "detectors/registry.h"

#include <algorithm>
#include <vector>

#include "detectors/statistical/volume_spike_detector.h"
#include "detectors/statistical/zscore_detector.h"

namespace tickguard {

std::span<const DetectorDescriptor> detector_registry() {
  static const std::vector<DetectorDescriptor> registry = {
      ZScoreDetector::descriptor(),
      VolumeSpikeDetector::descriptor(),
  };
  return registry;
}

const DetectorDescriptor* find_detector(std::string_view name) {
  const auto registry = detector_registry();
  const auto it = std::find_if(registry.begin(), registry.end(),
                               [&](const DetectorDescriptor& descriptor) { return descriptor.name == name; });
  return it == registry.end() ? nullptr : &*it;
}

}  // namespace tickguard
