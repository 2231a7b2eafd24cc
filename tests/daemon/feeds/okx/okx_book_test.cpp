#include "feeds/okx/okx_book.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <string>

#include "feeds/okx/okx_parse.h"
#include "okx_fixtures.h"

namespace tickguard::feeds::okx {
namespace {

using testing::fixture_lines;

// Replaces the value of "checksum": in a recorded frame (the rest of the frame is untouched).
std::string with_checksum(const std::string& line, const std::string& value) {
  const std::string key = "\"checksum\":";
  const auto start = line.find(key) + key.size();
  const auto end = line.find_first_of(",}", start);
  return line.substr(0, start) + value + line.substr(end);
}

std::string without_checksum(const std::string& line) {
  const auto start = line.find(",\"checksum\":");
  const auto end = line.find_first_of("}", start + 1);
  return line.substr(0, start) + line.substr(end);
}

// Replays recorded frames through one OkxBookSync per instrument, returning each result.
class Replayer {
 public:
  BookSyncResult apply(const std::string& line) {
    const OkxFrame& frame = parser_.parse(line);
    EXPECT_EQ(frame.kind, FrameKind::kBook) << frame.error;
    return books_[std::string(frame.inst_id)].apply(frame.book);
  }
  OkxBookSync& book(const std::string& inst_id) { return books_[inst_id]; }

 private:
  OkxParser parser_;
  std::map<std::string, OkxBookSync> books_;
};

TEST(OkxBookSync, RecordedSnapshotAndUpdatesPassChecksumEndToEnd) {
  const auto lines = fixture_lines("ws_books.jsonl");
  ASSERT_EQ(lines.size(), 80u);
  Replayer replayer;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(replayer.apply(lines[i]), BookSyncResult::kApplied) << "frame " << i;
  }
  std::uint64_t verified = 0;
  for (const char* inst_id : {"BTC-USD-220527", "UNI-USD-SWAP", "BTC-USDT"}) {
    const OkxBookSync& book = replayer.book(inst_id);
    EXPECT_TRUE(book.synced());
    EXPECT_FALSE(book.book().crossed());
    EXPECT_EQ(book.counters().snapshots, 1u);
    EXPECT_EQ(book.counters().checksum_mismatches, 0u);
    verified += book.counters().checksums_verified;
  }
  EXPECT_EQ(verified, 80u);
}

TEST(OkxBookSync, RecordedOkcoinBooksIncludingEmptyUpdatesPassChecksum) {
  Replayer replayer;
  for (const auto& line : fixture_lines("okcoin_ws_books.jsonl")) {
    EXPECT_EQ(replayer.apply(line), BookSyncResult::kApplied);
  }
  EXPECT_EQ(replayer.book("USDC-USDT").counters().checksums_verified, 2u);
}

TEST(OkxBookSync, CorruptedChecksumNeedsResync) {
  const auto lines = fixture_lines("ws_books.jsonl");
  Replayer replayer;
  ASSERT_EQ(replayer.apply(lines[0]), BookSyncResult::kApplied);
  // lines[3] is the first BTC-USD-220527 update; its true checksum is -914047754.
  const BookSyncResult result = replayer.apply(with_checksum(lines[3], "-914047753"));
  EXPECT_EQ(result, BookSyncResult::kChecksumMismatchNeedsResync);
  EXPECT_TRUE(needs_resync(result));
  OkxBookSync& book = replayer.book("BTC-USD-220527");
  EXPECT_FALSE(book.synced());
  EXPECT_TRUE(book.book().empty());
  EXPECT_EQ(book.counters().checksum_mismatches, 1u);
  // Until a new snapshot arrives, updates are not applied; the snapshot restores sync.
  EXPECT_EQ(replayer.apply(lines[3]), BookSyncResult::kNotSynced);
  EXPECT_EQ(replayer.apply(lines[0]), BookSyncResult::kApplied);
  EXPECT_TRUE(book.synced());
}

TEST(OkxBookSync, ZeroChecksumIsAbsentButStillApplied) {
  const auto lines = fixture_lines("ws_books.jsonl");
  Replayer replayer;
  ASSERT_EQ(replayer.apply(lines[0]), BookSyncResult::kApplied);
  EXPECT_EQ(replayer.apply(with_checksum(lines[3], "0")), BookSyncResult::kChecksumAbsent);
  OkxBookSync& book = replayer.book("BTC-USD-220527");
  EXPECT_TRUE(book.synced());
  EXPECT_EQ(book.counters().checksums_absent, 1u);
  EXPECT_EQ(book.counters().checksum_mismatches, 0u);
  // The update really was applied: every later recorded checksum for this instrument still matches.
  std::size_t later = 0;
  for (std::size_t i = 4; i < lines.size(); ++i) {
    if (lines[i].find("BTC-USD-220527") == std::string::npos) continue;
    ASSERT_EQ(replayer.apply(lines[i]), BookSyncResult::kApplied) << "frame " << i;
    ++later;
  }
  EXPECT_GT(later, 10u);
}

TEST(OkxBookSync, MissingChecksumIsAbsentButStillApplied) {
  const auto lines = fixture_lines("ws_books.jsonl");
  Replayer replayer;
  ASSERT_EQ(replayer.apply(lines[0]), BookSyncResult::kApplied);
  EXPECT_EQ(replayer.apply(without_checksum(lines[3])), BookSyncResult::kChecksumAbsent);
  EXPECT_EQ(replayer.apply(lines[6]), BookSyncResult::kApplied);  // next BTC-USD-220527 update
}

// Builds a books frame with a sequence chain; `levels` is the JSON of asks/bids.
std::string chained(const char* action, long long prev_seq, long long seq, const std::string& levels,
                    const std::string& checksum = "0") {
  return std::string(R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":")") + action +
         R"(","data":[{)" + levels + R"(,"ts":"1700000000000","checksum":)" + checksum + R"(,"prevSeqId":)" +
         std::to_string(prev_seq) + R"(,"seqId":)" + std::to_string(seq) + "}]}";
}

const std::string kSnapshotLevels =
    R"("asks":[["101.5","2","0","1"],["102","1","0","1"]],"bids":[["100","3","0","2"]])";

TEST(OkxBookSync, FollowsTheSeqIdChainIncludingNoChangeMessages) {
  Replayer replayer;
  EXPECT_EQ(replayer.apply(chained("snapshot", -1, 100, kSnapshotLevels)), BookSyncResult::kChecksumAbsent);
  EXPECT_EQ(replayer.apply(chained("update", 100, 101, R"("asks":[],"bids":[["100.5","1","0","1"]])")),
            BookSyncResult::kChecksumAbsent);
  // No change: the venue repeats the previous seqId.
  EXPECT_EQ(replayer.apply(chained("update", 101, 101, R"("asks":[],"bids":[])")),
            BookSyncResult::kChecksumAbsent);
  // After venue maintenance seqId may restart lower; the chain through prevSeqId still holds.
  EXPECT_EQ(replayer.apply(chained("update", 101, 7, R"("asks":[],"bids":[])")),
            BookSyncResult::kChecksumAbsent);
  const OkxBookSync& book = replayer.book("BTC-USDT");
  EXPECT_EQ(book.last_seq_id(), 7);
  EXPECT_EQ(book.book().bids().front().price, 100.5);
  BookSnapshot top;
  book.fill_snapshot(top);
  EXPECT_EQ(top.sequence, 7u);
  EXPECT_EQ(top.bid_count, 2);
  EXPECT_EQ(top.ask_count, 2);
}

TEST(OkxBookSync, SkippedSeqIdIsAGap) {
  Replayer replayer;
  ASSERT_EQ(replayer.apply(chained("snapshot", -1, 100, kSnapshotLevels)), BookSyncResult::kChecksumAbsent);
  const BookSyncResult result = replayer.apply(chained("update", 101, 102, R"("asks":[],"bids":[])"));
  EXPECT_EQ(result, BookSyncResult::kGapNeedsResync);
  EXPECT_TRUE(needs_resync(result));
  EXPECT_FALSE(replayer.book("BTC-USDT").synced());
  EXPECT_EQ(replayer.book("BTC-USDT").counters().gaps, 1u);
}

TEST(OkxBookSync, ValidChecksumOnSyntheticBookIsVerified) {
  // Independent reference: the ':'-joined string, interleaving bid then ask at each depth.
  const std::string joined = "100:3:101.5:2:102:1";
  const auto crc = static_cast<std::int32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(joined.data()), static_cast<uInt>(joined.size())));
  Replayer replayer;
  EXPECT_EQ(replayer.apply(chained("snapshot", -1, 1, kSnapshotLevels, std::to_string(crc))),
            BookSyncResult::kApplied);
  EXPECT_EQ(OkxBookSync::compute_checksum(replayer.book("BTC-USDT").book()).value, crc);
}

TEST(OkxBookSync, CrossedBookNeedsResync) {
  Replayer replayer;
  ASSERT_EQ(replayer.apply(chained("snapshot", -1, 1, kSnapshotLevels)), BookSyncResult::kChecksumAbsent);
  const BookSyncResult result =
      replayer.apply(chained("update", 1, 2, R"("asks":[],"bids":[["101.5","1","0","1"]])"));
  EXPECT_EQ(result, BookSyncResult::kCrossedNeedsResync);
  EXPECT_FALSE(replayer.book("BTC-USDT").synced());
}

TEST(OkxBookSync, LevelTextTooLongToKeepIsUnverifiableNotAMismatch) {
  Replayer replayer;
  const std::string levels =
      R"("asks":[["101.5","2.000000000000000000000000000000000001","0","1"]],"bids":[["100","3","0","2"]])";
  const BookSyncResult result = replayer.apply(chained("snapshot", -1, 1, levels, "12345"));
  EXPECT_EQ(result, BookSyncResult::kChecksumUnverifiable);
  EXPECT_FALSE(needs_resync(result));
  EXPECT_EQ(replayer.book("BTC-USDT").counters().checksums_unverifiable, 1u);
}

TEST(OkxBookSync, UpdateBeforeSnapshotIsNotApplied) {
  Replayer replayer;
  EXPECT_EQ(replayer.apply(chained("update", 1, 2, kSnapshotLevels)), BookSyncResult::kNotSynced);
  EXPECT_TRUE(replayer.book("BTC-USDT").book().empty());
}

}  // namespace
}  // namespace tickguard::feeds::okx
