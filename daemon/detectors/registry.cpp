// The one place a detector is named: adding a detector is a file pair plus one line below.
// An explicit list, not static self-registration, which a static library would silently drop.
#include "detectors/registry.h"

#include <algorithm>
#include <vector>

#include "detectors/changepoint/cusum_detector.h"
#include "detectors/changepoint/ewma_control_detector.h"
#include "detectors/changepoint/page_hinkley_detector.h"
#include "detectors/crossvenue/cross_exchange_divergence_detector.h"
#include "detectors/crossvenue/stale_feed_detector.h"
#include "detectors/crypto/flash_crash_detector.h"
#include "detectors/crypto/pump_dump_detector.h"
#include "detectors/crypto/wash_trading_detector.h"
#include "detectors/crypto/whale_trade_detector.h"
#include "detectors/microstructure/book_imbalance_detector.h"
#include "detectors/microstructure/liquidity_drop_detector.h"
#include "detectors/microstructure/spread_shock_detector.h"
#include "detectors/ml/isolation_forest_detector.h"
#include "detectors/statistical/dixon_q_detector.h"
#include "detectors/statistical/grubbs_detector.h"
#include "detectors/statistical/iqr_detector.h"
#include "detectors/statistical/mad_detector.h"
#include "detectors/statistical/volume_spike_detector.h"
#include "detectors/statistical/zscore_detector.h"
#include "detectors/technical/adaptive_threshold_detector.h"
#include "detectors/technical/bollinger_detector.h"
#include "detectors/technical/ma_break_detector.h"
#include "detectors/technical/rsi_detector.h"

namespace tickguard {

std::span<const DetectorDescriptor> detector_registry() {
  static const std::vector<DetectorDescriptor> registry = {
      // Statistical: single-event outliers and volume.
      ZScoreDetector::descriptor(),
      VolumeSpikeDetector::descriptor(),
      MadDetector::descriptor(),
      IqrDetector::descriptor(),
      GrubbsDetector::descriptor(),
      DixonQDetector::descriptor(),
      // Change points in the return process.
      CusumDetector::descriptor(),
      PageHinkleyDetector::descriptor(),
      EwmaControlDetector::descriptor(),
      // Technical indicators.
      MaBreakDetector::descriptor(),
      BollingerDetector::descriptor(),
      RsiDetector::descriptor(),
      AdaptiveThresholdDetector::descriptor(),
      // Machine learning.
      IsolationForestDetector::descriptor(),
      // Crypto-specific manipulation and market events.
      PumpDumpDetector::descriptor(),
      WashTradingDetector::descriptor(),
      WhaleTradeDetector::descriptor(),
      FlashCrashDetector::descriptor(),
      // Order book and spread.
      SpreadShockDetector::descriptor(),
      LiquidityDropDetector::descriptor(),
      BookImbalanceDetector::descriptor(),
      // Across the venues of one asset.
      CrossExchangeDivergenceDetector::descriptor(),
      StaleFeedDetector::descriptor(),
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
