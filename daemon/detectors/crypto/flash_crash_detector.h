// FlashCrashDetector: flags a price move of more than a few percent within a short window (a
// flash crash, or a flash rally), then tracks how much of the move reverses within a recovery
// window.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "detectors/crypto/window_extreme.h"
#include "tickguard/detector.h"

namespace tickguard {

class FlashCrashDetector final : public Detector {
 public:
  struct Options {
    double threshold_percent = 5.0;                        // move within `window` that maps to ratio 1
    Duration window = std::chrono::seconds(60);            // how fast the move must happen
    Duration recovery_window = std::chrono::seconds(300);  // how long a reversal is tracked after it
  };

  // The window's max and min are kept per 1/kBucketsPerWindow of the window, so the window edge
  // is exact to within that (60 ms at the default window) and memory is fixed.
  static constexpr std::size_t kBucketsPerWindow = 1000;

  // A flash move being tracked: the pre-move extreme, the furthest price reached since, and the
  // share of the move reversed so far (0 at the extreme, 1 back at the reference).
  struct Episode {
    bool crash = true;  // false for a flash rally
    Timestamp start{};
    double reference_price = 0;
    double extreme_price = 0;
    double reversed_fraction = 0;
  };

  explicit FlashCrashDetector(const Options& options);

  // Name "flash_crash", parameter schema, and a factory reading those parameters.
  static DetectorDescriptor descriptor();
  // Options from validated parameters; any parameter missing keeps its default.
  static Options options_from(const ParamValues& params);

  // Adds the price to the window and scores move = the larger of the fall from the window's max
  // and the rise from its min, in percent: ratio = |move| / threshold_percent. Emits nothing until
  // the first trade is one window old. From the first trade with ratio >= 1 until
  // recovery_window later an episode is tracked; in it, a trade at a new extreme is reported as
  // the move ("flash crash move %" / "flash rally move %"), any other as the share of the move
  // reversed ("flash crash recovered share" / "flash rally reversed share", band [0, 1]), still
  // with the move's ratio. Invalid trades are ignored; a late trade counts as the latest.
  void on_trade(const Trade& trade, ObservationSink& sink) override;

  // The episode in progress, or nullptr.
  const Episode* episode() const { return in_episode_ ? &episode_ : nullptr; }
  // The last episode that ended, for its final reversed share; nullptr before the first one.
  const Episode* last_episode() const { return has_last_episode_ ? &last_episode_ : nullptr; }
  // Entries held by the window's max and min deques, for the bounded-memory test.
  std::size_t window_size() const { return max_.size() + min_.size(); }
  std::size_t window_capacity() const { return max_.capacity() + min_.capacity(); }

 private:
  void track_episode(const Trade& trade, double move_percent, double ratio, ObservationSink& sink);

  double threshold_percent_;
  std::int64_t bucket_ns_;
  Duration recovery_window_;
  WindowExtreme max_;
  WindowExtreme min_;
  bool started_ = false;
  std::int64_t first_bucket_ = 0;
  std::int64_t bucket_ = 0;
  bool in_episode_ = false;
  Episode episode_;
  bool has_last_episode_ = false;
  Episode last_episode_;
};

}  // namespace tickguard
